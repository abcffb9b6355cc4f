/* no_uring - runs a program with io_uring refused, as a seccomp filter in many containers
 * refuses it: io_uring_setup(2) fails with EPERM, every other call is allowed.
 *
 *     no_uring PROGRAM [ARG...]
 *
 * Exit status 77 when no filter can be installed here; otherwise the program's. A tool the
 * behaviour tests run, not a test: it asserts nothing, so check.h has no part in it. */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: no_uring PROGRAM [ARG...]\n");
        return 2;
    }
#ifdef __NR_io_uring_setup
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof filter / sizeof filter[0], filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        perror("no_uring: cannot install the filter");
        return 77;
    }
#endif
    execv(argv[1], argv + 1);
    perror("no_uring: exec");
    return 1;
}
