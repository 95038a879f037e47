#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "check_main.h"
#include "tf_conntab.h"

#define SLOTS 256
static struct tf_conntab_slot slots[SLOTS];
static struct tf_conntab tab;

static void fresh(void)
{
    memset(slots, 0, sizeof slots);
    tf_conntab_init(&tab, slots, SLOTS);
}

static const void *obj(uintptr_t n)
{
    return (const void *)(0x10000 + n * 64);
}

START_TEST(set_get_or_forget)
{
    fresh();
    ck_assert_uint_eq(tf_conntab_get(&tab, obj(1)), 0);
    tf_conntab_set(&tab, obj(1), 5);
    tf_conntab_or(&tab, obj(1), 8);
    tf_conntab_or(&tab, obj(2), 1);
    ck_assert_uint_eq(tf_conntab_get(&tab, obj(1)), 13);
    ck_assert_uint_eq(tf_conntab_get(&tab, obj(2)), 1);
    tf_conntab_forget(&tab, obj(1));
    ck_assert_uint_eq(tf_conntab_get(&tab, obj(1)), 0);
    ck_assert_uint_eq(tf_conntab_get(&tab, obj(2)), 1);
    tf_conntab_set(&tab, obj(1), 2);   /* a new object at a reused address starts clean */
    ck_assert_uint_eq(tf_conntab_get(&tab, obj(1)), 2);
}
END_TEST

/* NULL and the two reserved key values are never stored. */
START_TEST(reserved_keys_ignored)
{
    fresh();
    tf_conntab_set(&tab, NULL, 7);
    tf_conntab_or(&tab, (const void *)1, 7);
    ck_assert_uint_eq(tf_conntab_get(&tab, NULL), 0);
    ck_assert_uint_eq(tf_conntab_get(&tab, (const void *)1), 0);
    ck_assert_uint_eq(tab.dropped, 0);
}
END_TEST

/* More live objects than slots: the extra ones have no bits and are counted; the others keep
 * theirs. Every operation stays bounded. */
START_TEST(full_table_drops_and_counts)
{
    fresh();
    for (uintptr_t i = 0; i < 2 * SLOTS; i++)
        tf_conntab_set(&tab, obj(i), i + 100);
    ck_assert_uint_ge(tab.dropped, SLOTS);
    int kept = 0;
    for (uintptr_t i = 0; i < 2 * SLOTS; i++) {
        uintptr_t b = tf_conntab_get(&tab, obj(i));
        ck_assert(b == 0 || b == i + 100);
        kept += b != 0;
    }
    ck_assert_int_eq(kept, 2 * SLOTS - (int)tab.dropped);
}
END_TEST

/* Freed slots are reused: a program that opens and closes many connections never fills up. */
START_TEST(freed_slots_reused)
{
    fresh();
    for (uintptr_t i = 0; i < 100 * SLOTS; i++) {
        tf_conntab_set(&tab, obj(i), 1);
        tf_conntab_or(&tab, obj(i), 2);
        ck_assert_uint_eq(tf_conntab_get(&tab, obj(i)), 3);
        tf_conntab_forget(&tab, obj(i));
    }
    ck_assert_uint_eq(tab.dropped, 0);
}
END_TEST

/* A key found beyond a freed slot is still found (the probe does not stop at freed slots). */
START_TEST(probe_passes_freed_slots)
{
    fresh();
    for (uintptr_t i = 0; i < 64; i++)
        tf_conntab_set(&tab, obj(i), i + 1);
    for (uintptr_t i = 0; i < 64; i += 2)
        tf_conntab_forget(&tab, obj(i));
    for (uintptr_t i = 1; i < 64; i += 2)
        ck_assert_uint_eq(tf_conntab_get(&tab, obj(i)), i + 1);
}
END_TEST

struct worker {
    uintptr_t base;
    int errors;
};

static void *churn(void *arg)
{
    struct worker *w = arg;
    for (uintptr_t i = 0; i < 20000; i++) {
        const void *o = obj(w->base + (i % 16));
        tf_conntab_set(&tab, o, w->base);
        tf_conntab_or(&tab, o, 1);
        if (tf_conntab_get(&tab, o) != (w->base | 1))
            w->errors++;
        tf_conntab_forget(&tab, o);
    }
    return NULL;
}

/* Threads with objects of their own never see each other's bits. */
START_TEST(threads_keep_their_own)
{
    fresh();
    pthread_t th[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){ .base = (uintptr_t)(i + 1) * 1024, .errors = 0 };
        pthread_create(&th[i], NULL, churn, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(w[i].errors, 0);
    }
    ck_assert_uint_eq(tab.dropped, 0);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("conntab");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, set_get_or_forget);
    tcase_add_test(tc, reserved_keys_ignored);
    tcase_add_test(tc, full_table_drops_and_counts);
    tcase_add_test(tc, freed_slots_reused);
    tcase_add_test(tc, probe_passes_freed_slots);
    tcase_add_test(tc, threads_keep_their_own);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
