/* AES for data at rest (secrets encryption): GCM sealed and opened with a 12-byte nonce and 16-byte tag;
   CBC (upstream's aescbc provider, read and written for configurations that name it) over whole blocks. */
#include "edge_mbedtls.h"

#include <string.h>
#include <mbedtls/aes.h>
#include <mbedtls/gcm.h>

int edge_aes_gcm_seal(const unsigned char *key, size_t key_len, const unsigned char *nonce, const unsigned char *aad, size_t aad_len,
                      const unsigned char *in, size_t len, unsigned char *out, unsigned char *tag) {
    mbedtls_gcm_context ctx;
    mbedtls_gcm_init(&ctx);
    int rc = mbedtls_gcm_setkey(&ctx, MBEDTLS_CIPHER_ID_AES, key, (unsigned int)(key_len * 8));
    if (rc == 0) rc = mbedtls_gcm_crypt_and_tag(&ctx, MBEDTLS_GCM_ENCRYPT, len, nonce, 12, aad, aad_len, in, out, 16, tag);
    mbedtls_gcm_free(&ctx);
    return rc;
}

int edge_aes_gcm_open(const unsigned char *key, size_t key_len, const unsigned char *nonce, const unsigned char *aad, size_t aad_len,
                      const unsigned char *in, size_t len, const unsigned char *tag, unsigned char *out) {
    mbedtls_gcm_context ctx;
    mbedtls_gcm_init(&ctx);
    int rc = mbedtls_gcm_setkey(&ctx, MBEDTLS_CIPHER_ID_AES, key, (unsigned int)(key_len * 8));
    if (rc == 0) rc = mbedtls_gcm_auth_decrypt(&ctx, len, nonce, 12, aad, aad_len, tag, 16, in, out);
    mbedtls_gcm_free(&ctx);
    return rc;
}

int edge_aes_cbc(int encrypt, const unsigned char *key, size_t key_len, const unsigned char iv[16],
                 const unsigned char *in, size_t len, unsigned char *out) {
    if (len % 16 != 0) return -1;
    unsigned char chain[16];
    memcpy(chain, iv, 16); /* mbedtls advances the IV in place */
    mbedtls_aes_context ctx;
    mbedtls_aes_init(&ctx);
    int rc = encrypt ? mbedtls_aes_setkey_enc(&ctx, key, (unsigned int)(key_len * 8))
                     : mbedtls_aes_setkey_dec(&ctx, key, (unsigned int)(key_len * 8));
    if (rc == 0) rc = mbedtls_aes_crypt_cbc(&ctx, encrypt ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT, len, chain, in, out);
    mbedtls_aes_free(&ctx);
    return rc;
}
