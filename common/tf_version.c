#include "tf_version.h"

#include <string.h>
#include <strings.h>

const char *tf_version_name(int version)
{
    switch (version) {
    case 0: return "any";
    case TF_SSL3: return "SSLv3";
    case TF_TLS1_0: return "TLSv1.0";
    case TF_TLS1_1: return "TLSv1.1";
    case TF_TLS1_2: return "TLSv1.2";
    case TF_TLS1_3: return "TLSv1.3";
    default: return "unknown";
    }
}

int tf_version_parse(const char *text)
{
    static const struct { const char *digits; int version; } known[] = {
        { "1.0", TF_TLS1_0 }, { "1", TF_TLS1_0 }, { "1.1", TF_TLS1_1 },
        { "1.2", TF_TLS1_2 }, { "1.3", TF_TLS1_3 },
    };
    if (text == NULL)
        return -1;
    /* Accept an optional "TLS", "TLSv" prefix in any case; '_' may stand for '.'. */
    if (strncasecmp(text, "tls", 3) == 0) {
        text += 3;
        if (*text == 'v' || *text == 'V')
            text++;
    }
    char digits[8];
    size_t n = strlen(text);
    if (n == 0 || n >= sizeof digits)
        return -1;
    for (size_t i = 0; i <= n; i++)
        digits[i] = text[i] == '_' ? '.' : text[i];
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(digits, known[i].digits) == 0)
            return known[i].version;
    return -1;
}
