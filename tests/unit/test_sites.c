/* common/tf_sites.c: the call-site cache (return address -> site number and count). */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "check_main.h"
#include "tf_sites.h"

static struct tf_sites t;

static uintptr_t ra(unsigned n)
{
    return (uintptr_t)0x555555554000u + n * 0x37u;
}

START_TEST(first_call_numbers_later_calls_count)
{
    memset(&t, 0, sizeof t);
    struct tf_site a = tf_sites_hit(&t, ra(1));
    ck_assert_uint_eq(a.id, 1);
    ck_assert_uint_eq(a.count, 1);   /* the first record describes the frames */
    struct tf_site b = tf_sites_hit(&t, ra(2));
    ck_assert_uint_eq(b.id, 2);
    ck_assert_uint_eq(b.count, 1);
    struct tf_site a2 = tf_sites_hit(&t, ra(1));
    ck_assert_uint_eq(a2.id, 1);
    ck_assert_uint_eq(a2.count, 2);
}
END_TEST

/* Before any unwinding: find says whether a return address is known, seen counts it only then. */
START_TEST(find_and_seen_never_insert)
{
    memset(&t, 0, sizeof t);
    ck_assert_uint_eq(tf_sites_find(&t, ra(7)), 0);
    ck_assert_uint_eq(tf_sites_seen(&t, ra(7)).id, 0);
    ck_assert_uint_eq(tf_sites_find(&t, ra(7)), 0);   /* still unknown: nothing inserted */
    tf_sites_hit(&t, ra(7));
    ck_assert_uint_eq(tf_sites_find(&t, ra(7)), 1);
    struct tf_site s = tf_sites_seen(&t, ra(7));
    ck_assert_uint_eq(s.id, 1);
    ck_assert_uint_eq(s.count, 2);
    ck_assert_uint_eq(tf_sites_find(&t, ra(7)), 1);   /* find counts nothing */
    ck_assert_uint_eq(tf_sites_hit(&t, ra(7)).count, 3);
    ck_assert_uint_eq(tf_sites_find(&t, 0), 0);
    ck_assert_uint_eq(tf_sites_hit(&t, 0).id, 0);
}
END_TEST

/* Keys that land on the same slot probe onward and stay distinct. */
START_TEST(colliding_keys_stay_apart)
{
    memset(&t, 0, sizeof t);
    uintptr_t k1 = 0x400000, k2 = k1 + ((uintptr_t)TF_SITES << 4), k3 = k2 + ((uintptr_t)TF_SITES << 4);
    unsigned i1 = tf_sites_hit(&t, k1).id, i2 = tf_sites_hit(&t, k2).id, i3 = tf_sites_hit(&t, k3).id;
    ck_assert_uint_ne(i1, i2);
    ck_assert_uint_ne(i2, i3);
    ck_assert_uint_eq(tf_sites_find(&t, k2), i2);
    ck_assert_uint_eq(tf_sites_seen(&t, k3).count, 2);
    ck_assert_uint_eq(tf_sites_hit(&t, k1).count, 2);
}
END_TEST

/* Bounded: a full table numbers every further call afresh with count 1 (described each time),
 * never confuses it with a stored site, and find/seen answer "unknown" for it. */
START_TEST(full_table_describes_every_call)
{
    memset(&t, 0, sizeof t);
    for (unsigned i = 0; i < TF_SITES; i++)
        ck_assert_uint_eq(tf_sites_hit(&t, ra(i + 1)).count, 1);
    struct tf_site x = tf_sites_hit(&t, ra(TF_SITES + 1));
    struct tf_site y = tf_sites_hit(&t, ra(TF_SITES + 1));
    ck_assert_uint_eq(x.count, 1);
    ck_assert_uint_eq(y.count, 1);
    ck_assert_uint_ne(x.id, y.id);
    ck_assert_uint_eq(tf_sites_find(&t, ra(TF_SITES + 1)), 0);
    ck_assert_uint_eq(tf_sites_seen(&t, ra(TF_SITES + 1)).id, 0);
    ck_assert_uint_eq(tf_sites_hit(&t, ra(5)).count, 2);   /* stored ones still count */
}
END_TEST

/* Threads racing on the same keys: one number per key, every call counted once. */
#define KEYS 8
#define ROUNDS 20000
static unsigned seen_id[4][KEYS];

static void *racer(void *arg)
{
    unsigned me = (unsigned)(uintptr_t)arg;
    for (int r = 0; r < ROUNDS; r++) {
        unsigned k = (unsigned)r % KEYS;
        struct tf_site s = r % 2 ? tf_sites_seen(&t, ra(k + 100)) : tf_sites_hit(&t, ra(k + 100));
        if (s.id == 0)
            s = tf_sites_hit(&t, ra(k + 100));
        if (seen_id[me][k] == 0)
            seen_id[me][k] = s.id;
        else if (seen_id[me][k] != s.id)
            seen_id[me][k] = ~0u;
    }
    return NULL;
}

START_TEST(threads_share_one_number_per_site)
{
    memset(&t, 0, sizeof t);
    memset(seen_id, 0, sizeof seen_id);
    pthread_t th[4];
    for (unsigned i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, racer, (void *)(uintptr_t)i);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    unsigned long total = 0;
    for (unsigned k = 0; k < KEYS; k++) {
        for (int i = 1; i < 4; i++)
            ck_assert_uint_eq(seen_id[i][k], seen_id[0][k]);
        ck_assert_uint_ne(seen_id[0][k], ~0u);
        struct tf_site s = tf_sites_seen(&t, ra(k + 100));
        total += s.count - 1;
    }
    ck_assert_uint_eq(total, 4ul * ROUNDS);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("sites");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, first_call_numbers_later_calls_count);
    tcase_add_test(tc, find_and_seen_never_insert);
    tcase_add_test(tc, colliding_keys_stay_apart);
    tcase_add_test(tc, full_table_describes_every_call);
    tcase_add_test(tc, threads_share_one_number_per_site);
    suite_add_tcase(s, tc);
    return s;
}
CHECK_MAIN(make_suite)
