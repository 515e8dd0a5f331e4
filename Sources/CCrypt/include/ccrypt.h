// Password hashes checked with the system's crypt(3) (libxcrypt: bcrypt $2a$, $2b$, $2y$).
#ifndef CCRYPT_H
#define CCRYPT_H

/// Whether `hash` is a bcrypt hash the system's crypt can check: 1 yes, 0 no.
int ccrypt_is_bcrypt(const char *hash);
/// 1 when `password` matches `hash`, 0 when it does not, -1 when the hash cannot be used.
/// The comparison takes the same time wherever the first difference is.
int ccrypt_verify(const char *password, const char *hash);

#endif
