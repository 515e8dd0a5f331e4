#include "cgzip.h"

#include <string.h>
#include <zlib.h>

// windowBits 15 + 16 asks zlib for a gzip wrapper instead of a zlib one.
#define CGZIP_WINDOW_BITS (15 + 16)
// The gzip header and trailer deflateBound does not count for a raw deflate stream.
#define CGZIP_WRAPPER_BYTES 18

size_t cgzip_bound(size_t length) {
    z_stream stream;
    memset(&stream, 0, sizeof(stream));
    if (deflateInit2(&stream, 1, Z_DEFLATED, CGZIP_WINDOW_BITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    size_t bound = deflateBound(&stream, (uLong)length) + CGZIP_WRAPPER_BYTES;
    deflateEnd(&stream);
    return bound;
}

size_t cgzip_compress(const uint8_t *input, size_t length, uint8_t *output, size_t capacity, int level) {
    z_stream stream;
    memset(&stream, 0, sizeof(stream));
    if (deflateInit2(&stream, level, Z_DEFLATED, CGZIP_WINDOW_BITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    stream.next_in = (Bytef *)input;
    stream.avail_in = (uInt)length;
    stream.next_out = output;
    stream.avail_out = (uInt)capacity;
    int status = deflate(&stream, Z_FINISH);
    size_t produced = stream.total_out;
    deflateEnd(&stream);
    return status == Z_STREAM_END ? produced : 0;
}
