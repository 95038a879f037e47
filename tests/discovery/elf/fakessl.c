/* A tiny archive standing in for a statically linked OpenSSL: it carries the version string
 * tlsfloor scan looks for, and nothing else of OpenSSL. */
const char fake_openssl_version[] = "OpenSSL 1.1.1w  11 Sep 2023";

const char *fake_ssl_version(void)
{
    return fake_openssl_version;
}
