#include "tf_events.h"

#include <string.h>

const struct tf_event_info tf_events[TF_EVENT_COUNT] = {
#define TF_EVENT(name, tools, meaning, keys) { #name, tools, meaning, keys },
#include "tf_events.def"
#undef TF_EVENT
};

const struct tf_event_info *tf_event_find(const char *name)
{
    for (size_t i = 0; i < TF_EVENT_COUNT; i++)
        if (!strcmp(tf_events[i].name, name))
            return &tf_events[i];
    return NULL;
}

static const char *const type_names[] = { "string", "integer", "boolean" };

const char *tf_key_type_name(enum tf_key_type t)
{
    return t >= TF_KEY_STRING && t < TF_KEY_BAD ? type_names[t] : "?";
}

static enum tf_key_type type_of(const char *text, size_t len)
{
    for (int t = TF_KEY_STRING; t < TF_KEY_BAD; t++)
        if (strlen(type_names[t]) == len && !strncmp(text, type_names[t], len))
            return (enum tf_key_type)t;
    return TF_KEY_BAD;
}

int tf_event_key_next(const char *keys, size_t *pos, struct tf_event_key *out)
{
    const char *p = keys + *pos;
    while (*p == ' ')
        p++;
    if (*p == '\0') {
        *pos = (size_t)(p - keys);
        return 0;
    }
    size_t len = strcspn(p, " ");
    *pos = (size_t)(p + len - keys);
    const char *colon = memchr(p, ':', len);
    if (colon == NULL || colon == p || (size_t)(colon - p) >= sizeof out->name)
        return -1;
    size_t tlen = len - (size_t)(colon + 1 - p);
    out->optional = tlen > 0 && colon[tlen] == '?';
    memcpy(out->name, p, (size_t)(colon - p));
    out->name[colon - p] = '\0';
    out->type = type_of(colon + 1, tlen - (size_t)out->optional);
    return out->type == TF_KEY_BAD ? -1 : 1;
}

int tf_event_key_find(const struct tf_event_info *e, const char *key, struct tf_event_key *out)
{
    size_t pos = 0;
    int r;
    while ((r = tf_event_key_next(e->keys, &pos, out)) != 0)
        if (r > 0 && !strcmp(out->name, key))
            return 1;
    return 0;
}
