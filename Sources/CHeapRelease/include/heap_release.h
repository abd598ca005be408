#ifndef SERVICEMAP_HEAP_RELEASE_H
#define SERVICEMAP_HEAP_RELEASE_H

/// Hands the heap's free pages back to the system (glibc's malloc_trim, which Swift's Glibc
/// module does not export; a no-op elsewhere). glibc keeps memory freed by one thread in that
/// thread's arena: between an import's steps, where the records of one step are freed on a thread
/// other than the one that builds the next, that memory stays counted against the process.
/// Returns 1 if memory was released, 0 if not.
int servicemap_release_free_heap(void);

#endif
