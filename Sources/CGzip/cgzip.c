#include "cgzip.h"

#include <libdeflate.h>

// libdeflate compresses a whole buffer at once, which is how a response body is held, faster
// than zlib and to fewer bytes at the same level (see BENCHMARKS.md).

size_t cgzip_bound(size_t length) {
    struct libdeflate_compressor *compressor = libdeflate_alloc_compressor(1);
    if (compressor == NULL) return 0;
    size_t bound = libdeflate_gzip_compress_bound(compressor, length);
    libdeflate_free_compressor(compressor);
    return bound;
}

size_t cgzip_compress(const uint8_t *input, size_t length, uint8_t *output, size_t capacity, int level) {
    struct libdeflate_compressor *compressor = libdeflate_alloc_compressor(level);
    if (compressor == NULL) return 0;
    size_t produced = libdeflate_gzip_compress(compressor, input, length, output, capacity);
    libdeflate_free_compressor(compressor);
    return produced;
}
