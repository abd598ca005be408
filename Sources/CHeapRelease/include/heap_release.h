#ifndef SERVICEMAP_HEAP_RELEASE_H
#define SERVICEMAP_HEAP_RELEASE_H

/// Hands the heap's free pages back to the system (glibc's malloc_trim, which Swift's Glibc
/// module does not export; a no-op elsewhere). glibc keeps memory freed by one thread in that
/// thread's arena: between an import's steps, where the records of one step are freed on a thread
/// other than the one that builds the next, that memory stays counted against the process.
/// Returns 1 if memory was released, 0 if not.
int servicemap_release_free_heap(void);

/// Keeps every block of 128 KiB or more in a mapping of its own, returned to the system when it
/// is freed (glibc's M_MMAP_THRESHOLD, fixed; a no-op elsewhere). By default glibc raises that
/// threshold each time such a block is freed, up to 32 MiB, and from then on serves large arrays
/// from the heap, where the memory they free stays the process's, between smaller records.
/// Returns 1 if set, 0 if not.
int servicemap_map_large_blocks_apart(void);

#endif
