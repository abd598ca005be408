#include "heap_release.h"
#include <stdlib.h>  /* defines __GLIBC__ on glibc systems */

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int servicemap_release_free_heap(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}

int servicemap_map_large_blocks_apart(void) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#else
    return 0;
#endif
}
