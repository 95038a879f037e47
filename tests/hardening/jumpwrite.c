/* jumpwrite: a test-only preload, loaded after libtlsfloor.so, that raises SIGUSR1 just before
 * a tlsfloor record is written (a write() whose data starts like a record). A program whose
 * SIGUSR1 handler siglongjmps thereby leaves a tlsfloor hook at a known point, in the middle of
 * logging: deterministically what a timeout signal does at random. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static int is_record(const void *buf, size_t n)
{
    return (n >= 6 && memcmp(buf, "{\"ts\":", 6) == 0) || (n >= 9 && memcmp(buf, "tlsfloor[", 9) == 0);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (is_record(buf, n))
        raise(SIGUSR1);
    return real(fd, buf, n);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    static ssize_t (*real)(int, const struct iovec *, int);
    if (!real)
        real = (ssize_t(*)(int, const struct iovec *, int))dlsym(RTLD_NEXT, "writev");
    for (int i = 0; i < cnt; i++)
        if (iov[i].iov_len) {
            if (is_record(iov[i].iov_base, iov[i].iov_len))
                raise(SIGUSR1);
            break;
        }
    return real(fd, iov, cnt);
}
