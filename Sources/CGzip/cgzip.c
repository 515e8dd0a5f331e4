#include "cgzip.h"

#include <libdeflate.h>

// libdeflate compresses a whole buffer at once, which is how a response body is held, faster
// than zlib and to fewer bytes at the same level (see BENCHMARKS.md).

// Without a compressor, libdeflate's bound holds for any level: no compressor (hundreds of
// kilobytes) is allocated just to size the output.
size_t cgzip_bound(size_t length) {
    return libdeflate_gzip_compress_bound(NULL, length);
}

size_t cgzip_compress(const uint8_t *input, size_t length, uint8_t *output, size_t capacity, int level) {
    struct libdeflate_compressor *compressor = libdeflate_alloc_compressor(level);
    if (compressor == NULL) return 0;
    size_t produced = libdeflate_gzip_compress(compressor, input, length, output, capacity);
    libdeflate_free_compressor(compressor);
    return produced;
}
