// gzip compression of whole buffers through libdeflate.
#ifndef CGZIP_H
#define CGZIP_H

#include <stddef.h>
#include <stdint.h>

/// The most bytes `cgzip_compress` can produce for `length` input bytes.
size_t cgzip_bound(size_t length);

/// Compresses `input` into a gzip stream in `output` (at least `cgzip_bound` bytes)
/// at `level` (1 fastest .. 9 smallest). Returns the compressed length, or 0 on failure.
size_t cgzip_compress(const uint8_t *input, size_t length, uint8_t *output, size_t capacity, int level);

#endif
