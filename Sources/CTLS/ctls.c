#include "ctls.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

struct ctls_context {
    SSL_CTX *ctx;
};

struct ctls_connection {
    SSL *ssl;
};

static void set_error(char *error, size_t error_size, const char *what) {
    unsigned long code = ERR_get_error();
    char reason[256] = "";
    if (code != 0) ERR_error_string_n(code, reason, sizeof(reason));
    snprintf(error, error_size, "%s%s%s", what, code != 0 ? ": " : "", reason);
    ERR_clear_error();
}

// A client certificate is asked for but any one will do (RequestClientCert, RequireAnyClientCert).
static int accept_any_certificate(int preverified, X509_STORE_CTX *store) {
    (void)preverified;
    (void)store;
    return 1;
}

// Maps IANA cipher suite names (as Go and exporter-toolkit spell them) to an OpenSSL list.
static int openssl_cipher_list(SSL_CTX *ctx, const char *names, char *list, size_t list_size, char *error, size_t error_size) {
    STACK_OF(SSL_CIPHER) *available = SSL_CTX_get_ciphers(ctx);
    char *copy = strdup(names);
    if (copy == NULL) return -1;
    list[0] = '\0';
    int status = 0;
    char *saved = NULL;
    for (char *name = strtok_r(copy, ":", &saved); name != NULL; name = strtok_r(NULL, ":", &saved)) {
        const char *openssl_name = NULL;
        for (int i = 0; i < sk_SSL_CIPHER_num(available); i++) {
            const SSL_CIPHER *cipher = sk_SSL_CIPHER_value(available, i);
            const char *standard = SSL_CIPHER_standard_name(cipher);
            if (standard != NULL && strcmp(standard, name) == 0 && strcmp(SSL_CIPHER_get_version(cipher), "TLSv1.3") != 0) {
                openssl_name = SSL_CIPHER_get_name(cipher);
                break;
            }
        }
        if (openssl_name == NULL) {
            snprintf(error, error_size, "cipher suite %s is not a TLS 1.2 suite OpenSSL offers here", name);
            status = -1;
            break;
        }
        if (list[0] != '\0') strncat(list, ":", list_size - strlen(list) - 1);
        strncat(list, openssl_name, list_size - strlen(list) - 1);
    }
    free(copy);
    return status;
}

ctls_context *ctls_context_new(const struct ctls_settings *s, char *error, size_t error_size) {
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        set_error(error, error_size, "creating a TLS context");
        return NULL;
    }
    // No session tickets or cache: every connection is a full handshake against the
    // current certificate, and no ticket key lives in memory.
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION |
                             (s->prefer_server_ciphers ? SSL_OP_CIPHER_SERVER_PREFERENCE : 0));
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 0);
    if (SSL_CTX_set_min_proto_version(ctx, s->min_version) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, s->max_version) != 1) {
        set_error(error, error_size, "setting the TLS versions");
        goto failed;
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, s->cert_file) != 1) {
        set_error(error, error_size, "loading cert_file");
        goto failed;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, s->key_file, SSL_FILETYPE_PEM) != 1) {
        set_error(error, error_size, "loading key_file");
        goto failed;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        set_error(error, error_size, "key_file does not match cert_file");
        goto failed;
    }
    if (s->client_ca_file != NULL) {
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(s->client_ca_file);
        if (names == NULL || SSL_CTX_load_verify_locations(ctx, s->client_ca_file, NULL) != 1) {
            if (names != NULL) sk_X509_NAME_pop_free(names, X509_NAME_free);
            set_error(error, error_size, "loading client_ca_file");
            goto failed;
        }
        SSL_CTX_set_client_CA_list(ctx, names);
    }
    switch (s->client_auth) {
    case CTLS_REQUEST_CLIENT_CERT:
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_certificate);
        break;
    case CTLS_REQUIRE_ANY_CLIENT_CERT:
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any_certificate);
        break;
    case CTLS_VERIFY_CLIENT_CERT_IF_GIVEN:
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        break;
    case CTLS_REQUIRE_AND_VERIFY_CLIENT_CERT:
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
        break;
    default:
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    if (s->cipher_suites != NULL) {
        char list[4096];
        if (openssl_cipher_list(ctx, s->cipher_suites, list, sizeof(list), error, error_size) != 0) goto failed;
        if (SSL_CTX_set_cipher_list(ctx, list) != 1) {
            set_error(error, error_size, "setting cipher_suites");
            goto failed;
        }
    }
    if (s->groups != NULL && SSL_CTX_set1_groups_list(ctx, s->groups) != 1) {
        set_error(error, error_size, "setting curve_preferences");
        goto failed;
    }
    ctls_context *context = malloc(sizeof(*context));
    if (context == NULL) goto failed;
    context->ctx = ctx;
    return context;

failed:
    SSL_CTX_free(ctx);
    return NULL;
}

void ctls_context_free(ctls_context *context) {
    SSL_CTX_free(context->ctx);
    free(context);
}

ctls_connection *ctls_connection_new(ctls_context *context, int fd) {
    ctls_connection *connection = malloc(sizeof(*connection));
    if (connection == NULL) return NULL;
    // SSL_new takes its own reference to the context, so a reload can free ours.
    connection->ssl = SSL_new(context->ctx);
    if (connection->ssl == NULL || SSL_set_fd(connection->ssl, fd) != 1) {
        SSL_free(connection->ssl);
        free(connection);
        ERR_clear_error();
        return NULL;
    }
    SSL_set_accept_state(connection->ssl);
    SSL_set_mode(connection->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return connection;
}

void ctls_connection_free(ctls_connection *connection) {
    if (SSL_is_init_finished(connection->ssl)) SSL_shutdown(connection->ssl);
    SSL_free(connection->ssl);
    ERR_clear_error();
    free(connection);
}

// Turns an OpenSSL result into the return convention of ctls_read/ctls_write.
static long outcome(ctls_connection *connection, int result, short *wants) {
    if (result > 0) return result;
    int saved = errno;
    int code = SSL_get_error(connection->ssl, result);
    ERR_clear_error();
    switch (code) {
    case SSL_ERROR_WANT_READ:
        *wants = POLLIN;
        return -1;
    case SSL_ERROR_WANT_WRITE:
        *wants = POLLOUT;
        return -1;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        errno = saved != 0 ? saved : ECONNRESET;
        return -2;
    default:
        errno = EPROTO;
        return -2;
    }
}

long ctls_read(ctls_connection *connection, void *buffer, size_t size, short *wants) {
    ERR_clear_error();
    size_t read = 0;
    int result = SSL_read_ex(connection->ssl, buffer, size, &read);
    return outcome(connection, result == 1 ? (int)read : result, wants);
}

long ctls_write(ctls_connection *connection, const void *buffer, size_t size, short *wants) {
    ERR_clear_error();
    size_t written = 0;
    int result = SSL_write_ex(connection->ssl, buffer, size, &written);
    return outcome(connection, result == 1 ? (int)written : result, wants);
}

int ctls_pending(ctls_connection *connection) {
    return SSL_pending(connection->ssl);
}

int ctls_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, unsigned char *out) {
    unsigned int written = 0;
    return HMAC(EVP_sha256(), key, (int)key_length, data, length, out, &written) != NULL && written == 32 ? 0 : -1;
}

int ctls_random(void *buffer, size_t length) {
    return RAND_bytes(buffer, (int)length) == 1 ? 0 : -1;
}
