#include "ccrypt.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

int ccrypt_is_bcrypt(const char *hash) {
    size_t length = strlen(hash);
    // $2b$10$ + 22 salt characters + 31 hash characters.
    if (length != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$') return 0;
    if (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') return 0;
    return crypt_checksalt(hash) == CRYPT_SALT_OK;
}

int ccrypt_verify(const char *password, const char *hash) {
    if (!ccrypt_is_bcrypt(hash)) return -1;
    // crypt_data is about 32 KiB: on the heap, and reentrant where crypt(3) is not.
    struct crypt_data *data = calloc(1, sizeof(*data));
    if (data == NULL) return -1;
    const char *computed = crypt_r(password, hash, data);
    int result = -1;
    if (computed != NULL && computed[0] != '*') {
        size_t length = strlen(hash);
        unsigned char difference = strlen(computed) != length;
        for (size_t i = 0; i < length && computed[i] != '\0'; i++) difference |= (unsigned char)(computed[i] ^ hash[i]);
        result = difference == 0;
    }
    explicit_bzero(data, sizeof(*data));
    free(data);
    return result;
}
