/* The log contract (tf_events.def) as data: event names, meanings and detail keys. Pure. */
#ifndef TF_EVENTS_H
#define TF_EVENTS_H

#include <stddef.h>

struct tf_event_info {
    const char *name;
    const char *tools;       /* "shim java": the writers */
    const char *meaning;
    const char *keys;        /* "key:type[?] ..." */
};

enum tf_event_id {
#define TF_EVENT(name, tools, meaning, keys) TF_EVENT_ID_##name,
#include "tf_events.def"
#undef TF_EVENT
    TF_EVENT_COUNT
};

extern const struct tf_event_info tf_events[TF_EVENT_COUNT];

/* An event's name for an emitter: a name that is not in the table does not compile. */
#define TF_EV(ev) (tf_events[TF_EVENT_ID_##ev].name)

/* The entry of an event name, or NULL. */
const struct tf_event_info *tf_event_find(const char *name);

enum tf_key_type { TF_KEY_STRING, TF_KEY_INTEGER, TF_KEY_BOOLEAN, TF_KEY_BAD };

struct tf_event_key {
    char name[48];
    enum tf_key_type type;
    int optional;
};

/* The next key of a keys string from *pos on: 1 and *out filled, 0 at the end, -1 on a malformed
 * entry (an unknown type, no ':', a name too long). */
int tf_event_key_next(const char *keys, size_t *pos, struct tf_event_key *out);

/* The key's entry in an event; 1 when found. */
int tf_event_key_find(const struct tf_event_info *e, const char *key, struct tf_event_key *out);

const char *tf_key_type_name(enum tf_key_type t);

#endif
