/* TLS protocol version numbers and their readable names. */
#ifndef TF_VERSION_H
#define TF_VERSION_H

#define TF_SSL3   0x0300
#define TF_TLS1_0 0x0301
#define TF_TLS1_1 0x0302
#define TF_TLS1_2 0x0303
#define TF_TLS1_3 0x0304

/* "TLSv1.0" .. "TLSv1.3", "SSLv3", "any" for 0 (OpenSSL's "no bound"), "unknown" otherwise. */
const char *tf_version_name(int version);

/* Parses "1.2", "TLSv1.2", "TLS1.2", "tls1_2" (and the other versions); -1 when not a version. */
int tf_version_parse(const char *text);

#endif
