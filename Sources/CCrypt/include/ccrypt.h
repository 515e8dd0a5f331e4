// Password hashes checked with the system's crypt(3) (libxcrypt: bcrypt $2a$, $2b$, $2y$).
#ifndef CCRYPT_H
#define CCRYPT_H

#include <stddef.h>

/// Whether `hash` is a bcrypt hash the system's crypt can check: 1 yes, 0 no.
int ccrypt_is_bcrypt(const char *hash);
/// 1 when `password` matches `hash`, 0 when it does not, -1 when the hash cannot be used.
/// The comparison takes the same time wherever the first difference is.
int ccrypt_verify(const char *password, const char *hash);
/// Writes into `out` (at least 61 bytes) a bcrypt hash of a random password at `cost`: what
/// an unknown user's password is checked against, so that it takes as long as a real one's.
/// 0, or -1 and errno.
int ccrypt_stand_in_hash(int cost, char *out, size_t size);

#endif
