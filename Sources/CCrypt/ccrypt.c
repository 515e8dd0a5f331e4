#include "ccrypt.h"

#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <sys/random.h>
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

int ccrypt_stand_in_hash(int cost, char *out, size_t size) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    unsigned char random[16];
    char password[33];
    if (size < 61 || getrandom(random, sizeof(random), 0) != (ssize_t)sizeof(random)) return -1;
    for (size_t i = 0; i < sizeof(random); i++) snprintf(password + 2 * i, 3, "%02x", random[i]);
    if (crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, salt, sizeof(salt)) == NULL) return -1;
    struct crypt_data *data = calloc(1, sizeof(*data));
    if (data == NULL) return -1;
    const char *hash = crypt_r(password, salt, data);
    int result = -1;
    if (hash != NULL && hash[0] != '*' && strlen(hash) < size) {
        strcpy(out, hash);
        result = 0;
    } else {
        errno = EINVAL;
    }
    explicit_bzero(data, sizeof(*data));
    explicit_bzero(password, sizeof(password));
    free(data);
    return result;
}
