// TLS for the HTTP server through OpenSSL: a server context built from a web config's
// tls_server_config, and non-blocking connections the server's poll loop drives.
#ifndef CTLS_H
#define CTLS_H

#include <stddef.h>

typedef struct ctls_context ctls_context;
typedef struct ctls_connection ctls_connection;

/// exporter-toolkit's client_auth_type values.
enum ctls_client_auth {
    CTLS_NO_CLIENT_CERT = 0,
    CTLS_REQUEST_CLIENT_CERT,
    CTLS_REQUIRE_ANY_CLIENT_CERT,
    CTLS_VERIFY_CLIENT_CERT_IF_GIVEN,
    CTLS_REQUIRE_AND_VERIFY_CLIENT_CERT,
};

/// What a context is built from. Versions are OpenSSL's (TLS1_2_VERSION, ...); a NULL
/// list keeps OpenSSL's default.
struct ctls_settings {
    const char *cert_file;
    const char *key_file;
    const char *client_ca_file;
    int client_auth;
    int min_version;
    int max_version;
    /// TLS 1.2 cipher suites by their IANA names, separated by ':'.
    const char *cipher_suites;
    /// Groups by OpenSSL's names (P-256, X25519), separated by ':'.
    const char *groups;
    int prefer_server_ciphers;
};

/// A server context, or NULL with a message in `error`.
ctls_context *ctls_context_new(const struct ctls_settings *settings, char *error, size_t error_size);
void ctls_context_free(ctls_context *context);

/// A server-side connection over the accepted, non-blocking socket `fd`; NULL on failure.
ctls_connection *ctls_connection_new(ctls_context *context, int fd);
/// Sends close_notify where the handshake finished, and frees the connection (not the socket).
void ctls_connection_free(ctls_connection *connection);

/// Read and write, handshaking first as needed. They return the bytes moved (> 0); 0 at
/// the end of the stream (read only); -1 when the socket would block, with `*wants` set to
/// POLLIN or POLLOUT; -2 when the connection failed (errno EPROTO, or the socket's error).
long ctls_read(ctls_connection *connection, void *buffer, size_t size, short *wants);
long ctls_write(ctls_connection *connection, const void *buffer, size_t size, short *wants);
/// Bytes already decrypted and waiting to be read.
int ctls_pending(ctls_connection *connection);

/// HMAC-SHA256 of `data` under `key` into `out` (32 bytes). 0, or -1 when OpenSSL failed.
int ctls_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, unsigned char *out);
/// Fills `buffer` with `length` bytes from OpenSSL's CSPRNG. 0, or -1.
int ctls_random(void *buffer, size_t length);

#endif
