/* The OAuth bridge's token command (oauth_token.c). */
#ifndef TF_OAUTH_TOKEN_H
#define TF_OAUTH_TOKEN_H

#include <stddef.h>

#include "tf_bridge.h"
#include "tf_config.h"

/* The access token for user at host over proto: the cached one, or the first line of the token
 * command's output (refresh: the cached one was refused; it is forgotten and the command asked).
 * Returns its length in out (NUL-terminated), or 0 with *why saying why there is none. */
size_t tf_oauth_token(const struct tf_config *c, const char *user, const char *host, enum tf_proto proto,
                      int refresh, char *out, size_t cap, const char **why);

#endif
