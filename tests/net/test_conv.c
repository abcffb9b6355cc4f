/* test_conv - the conversation core on scripted byte sequences, as any model would feed
 * it: each step's result, the reply and how the connection ends, the lab's log lines
 * (stdout is a file here, read back after each script), the counters, the time limits,
 * and admission: turning away, and shedding the connection of the address holding most. */
#include "conv.h"
#include "check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define S 1000000000ull

static int log_fd = -1;

/* What the core logged since the last call, the lines joined by '|'. */
static const char *logged(void)
{
    static char text[8192];
    off_t end = lseek(log_fd, 0, SEEK_END);
    ssize_t n = pread(log_fd, text, sizeof text - 1, 0);
    text[n > 0 ? n : 0] = '\0';
    if (end > 0 && ftruncate(log_fd, 0) != 0)
        perror("ftruncate");
    lseek(log_fd, 0, SEEK_SET);
    size_t len = strlen(text);
    if (len && text[len - 1] == '\n')
        text[--len] = '\0';
    for (char *p = text; *p; p++)
        if (*p == '\n')
            *p = '|';
    return text;
}

static struct sockaddr_storage addr_of(const char *ip, unsigned port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, ip, &in->sin_addr);
    return ss;
}

static void server_init(struct conv_server *s, int quiet, uint64_t idle_s, uint64_t whole_s,
                        uint64_t max_clients)
{
    struct deadline_policy p = {.idle_ns = idle_s * S, .conversation_ns = whole_s * S};
    char err[256];
    REQUIRE_EQ(conv_server_init(s, quiet, &p, max_clients, 0, 1024, err, sizeof err), 0);
}

/* An admitted connection from ip:port on one end of a socket pair; *peer_fd the other. */
static int admit_pair(struct conv_server *s, const char *ip, unsigned port, int *peer_fd)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0) {
        perror("socketpair");
        exit(1);
    }
    *peer_fd = sv[1];
    struct sockaddr_storage ss = addr_of(ip, port);
    return conv_admit(s, sv[0], &ss) == 0 ? sv[0] : -1;
}

static enum conv_step feed(struct conv_server *s, struct conv *c, const char *bytes, uint64_t now)
{
    return conv_input(s, c, bytes, strlen(bytes), now);
}

static const char *reply_of(const struct conv *c)
{
    static char text[256];
    snprintf(text, sizeof text, "%.*s", (int)c->out_len, c->out ? c->out : "");
    return text;
}

static void test_conversations(void)
{
    static struct conv_server s;
    server_init(&s, 0, 60, 65, 100);
    int peer;
    struct conv c;

    /* Data and ready in one read. */
    conv_init(&s, &c, admit_pair(&s, "127.0.0.1", 5001, &peer));
    conv_begin(&s, &c, 100 * S);
    ASSERT_EQ(feed(&s, &c, "8ready", 100 * S), CONV_DONE);
    ASSERT_EQ(c.finish, CONV_FINISH_CLOSE);
    ASSERT_STR_EQ(reply_of(&c), "8.0");
    ASSERT_STR_EQ(logged(), "Server: got connection from client ('127.0.0.1', 5001)|"
                            "Server: received 8 from ('127.0.0.1', 5001), new mean_data 8.0|"
                            "Server: waiting for ready message from ('127.0.0.1', 5001)|"
                            "Server: got ready message from ('127.0.0.1', 5001), sending 8.0");
    ASSERT_EQ(c.stats.data_messages, 1);
    ASSERT_EQ(c.stats.ready_messages, 1);
    ASSERT_EQ(c.stats.bytes_received, 6);
    conv_end(&s, &c);
    close(peer);
    ASSERT_EQ(atomic_load(&s.stats.connections_active), 0);
    ASSERT_EQ(atomic_load(&s.stats.data_messages), 1);

    /* Cut anywhere, whitespace around: each read is one step. */
    conv_init(&s, &c, admit_pair(&s, "127.0.0.1", 5002, &peer));
    conv_begin(&s, &c, 100 * S);
    ASSERT_EQ(feed(&s, &c, " \t6\n", 100 * S), CONV_MORE);
    ASSERT_EQ(conv_has_data(&c), 1);
    ASSERT_EQ(feed(&s, &c, "rea", 101 * S), CONV_MORE);
    ASSERT_EQ(feed(&s, &c, "dy\n", 102 * S), CONV_DONE);
    ASSERT_STR_EQ(reply_of(&c), "7.0");
    logged();
    conv_end(&s, &c);
    close(peer);

    /* Bad data: an error, the connection lingers, the mean is untouched. */
    conv_init(&s, &c, admit_pair(&s, "127.0.0.1", 5003, &peer));
    conv_begin(&s, &c, 100 * S);
    ASSERT_EQ(feed(&s, &c, "abc", 100 * S), CONV_DONE);
    ASSERT_EQ(c.finish, CONV_FINISH_LINGER);
    ASSERT_STR_EQ(reply_of(&c), "error: not a number: 'abc'");
    ASSERT_EQ(c.stats.bad_messages, 1);
    ASSERT_STR_EQ(logged(), "Server: got connection from client ('127.0.0.1', 5003)|"
                            "Server: bad message from ('127.0.0.1', 5003): not a number: 'abc'");
    conv_end(&s, &c);
    close(peer);

    /* A second message that is not `ready`. */
    conv_init(&s, &c, admit_pair(&s, "127.0.0.1", 5004, &peer));
    conv_begin(&s, &c, 100 * S);
    ASSERT_EQ(feed(&s, &c, "1 hello", 100 * S), CONV_DONE);
    ASSERT_STR_EQ(reply_of(&c), "error: expected 'ready', got 'hello'");
    logged();
    conv_end(&s, &c);
    close(peer);

    /* Data, then the end of the stream: counted, and an error that is not a bad message. */
    conv_init(&s, &c, admit_pair(&s, "127.0.0.1", 5005, &peer));
    conv_begin(&s, &c, 100 * S);
    ASSERT_EQ(feed(&s, &c, "4", 100 * S), CONV_MORE);
    ASSERT_EQ(conv_input(&s, &c, "", 0, 100 * S), CONV_DONE);
    ASSERT_EQ(c.finish, CONV_FINISH_LINGER);
    ASSERT_STR_EQ(reply_of(&c), "error: connection closed before 'ready'");
    ASSERT_EQ(c.stats.bad_messages, 0);
    ASSERT_STR_EQ(logged(),
                  "Server: got connection from client ('127.0.0.1', 5005)|"
                  "Server: received 4 from ('127.0.0.1', 5005), new mean_data 4.75|"
                  "Server: waiting for ready message from ('127.0.0.1', 5005)|"
                  "Server: closing ('127.0.0.1', 5005): connection closed before 'ready'");
    conv_end(&s, &c);
    close(peer);

    /* Nothing at all, then the end: empty data, a bad message. */
    conv_init(&s, &c, admit_pair(&s, "127.0.0.1", 5006, &peer));
    conv_begin(&s, &c, 100 * S);
    ASSERT_EQ(conv_input(&s, &c, "", 0, 100 * S), CONV_DONE);
    ASSERT_STR_EQ(reply_of(&c), "error: empty data message");
    ASSERT_EQ(c.stats.bad_messages, 1);
    logged();
    conv_end(&s, &c);
    close(peer);

    ASSERT_EQ(atomic_load(&s.stats.data_messages), 4);
    ASSERT_EQ(atomic_load(&s.stats.ready_messages), 2);
    ASSERT_EQ(atomic_load(&s.stats.bad_messages), 3);
    ASSERT_EQ(atomic_load(&s.stats.connections_accepted), 6);
}

static void test_limits(void)
{
    static struct conv_server s;
    server_init(&s, 0, 10, 15, 100);
    int peer;
    struct conv c;

    /* Silent: the idle limit, 10 s after the arrival. */
    conv_init(&s, &c, admit_pair(&s, "127.0.0.1", 6001, &peer));
    conv_begin(&s, &c, 100 * S);
    ASSERT_EQ(conv_deadline(&c), 110 * S);
    ASSERT_EQ(conv_expire(&s, &c, 109 * S), CONV_MORE);
    ASSERT_EQ(conv_expire(&s, &c, 110 * S), CONV_DONE);
    ASSERT_EQ(c.finish, CONV_FINISH_CLOSE);
    ASSERT_STR_EQ(reply_of(&c), "error: timeout");
    ASSERT_EQ(c.stats.idle_timeouts, 1);
    ASSERT_STR_EQ(logged(), "Server: got connection from client ('127.0.0.1', 6001)|"
                            "Server: timeout waiting for data from ('127.0.0.1', 6001)");
    conv_end(&s, &c);
    close(peer);

    /* Blanks buy nothing; the data moves the idle limit, the conversation one stays. */
    conv_init(&s, &c, admit_pair(&s, "127.0.0.1", 6002, &peer));
    conv_begin(&s, &c, 100 * S);
    ASSERT_EQ(feed(&s, &c, " ", 105 * S), CONV_MORE);
    ASSERT_EQ(conv_deadline(&c), 110 * S);
    ASSERT_EQ(feed(&s, &c, "2", 108 * S), CONV_MORE);
    ASSERT_EQ(conv_deadline(&c), 115 * S);
    ASSERT_EQ(conv_expire(&s, &c, 114 * S), CONV_MORE);
    ASSERT_EQ(conv_expire(&s, &c, 115 * S), CONV_DONE);
    ASSERT_EQ(c.stats.conversation_timeouts, 1);
    ASSERT_STR_EQ(logged(), "Server: got connection from client ('127.0.0.1', 6002)|"
                            "Server: received 2 from ('127.0.0.1', 6002), new mean_data 2.0|"
                            "Server: waiting for ready message from ('127.0.0.1', 6002)|"
                            "Server: timeout waiting for ready message from ('127.0.0.1', 6002) "
                            "(conversation limit)");
    conv_end(&s, &c);
    close(peer);
}

static void test_admission(void)
{
    static struct conv_server s;
    server_init(&s, 0, 60, 65, 2);
    int peer1, peer2, peer3, peer4;
    int fd1 = admit_pair(&s, "127.0.0.1", 7001, &peer1);
    int fd2 = admit_pair(&s, "127.0.0.1", 7002, &peer2);
    ASSERT_GE(fd1, 0);
    ASSERT_GE(fd2, 0);
    struct conv c1, c2;
    conv_init(&s, &c1, fd1);
    conv_begin(&s, &c1, 100 * S);
    conv_init(&s, &c2, fd2);
    conv_begin(&s, &c2, 100 * S);
    /* The second made progress: the first is the one its address gives up. */
    ASSERT_EQ(feed(&s, &c2, "1", 101 * S), CONV_MORE);
    logged();

    /* Full; a newcomer from another address takes the first one's place. */
    int fd3 = admit_pair(&s, "127.0.0.2", 7003, &peer3);
    ASSERT_GE(fd3, 0);
    ASSERT_STR_EQ(logged(),
                  "Server: server busy, evicted ('127.0.0.1', 7001) for ('127.0.0.2', 7003)");
    ASSERT_EQ(atomic_load(&s.stats.evictions), 1);
    /* The shed one hears of it at its next step, whatever it reads, and says why. */
    ASSERT_EQ(conv_shed(&s, &c1), CONV_DONE);
    ASSERT_EQ(feed(&s, &c1, "5", 102 * S), CONV_DONE);
    ASSERT_EQ(c1.finish, CONV_FINISH_SHED);
    ASSERT_STR_EQ(reply_of(&c1), "error: server busy");
    ASSERT_EQ(conv_shed(&s, &c2), CONV_MORE);
    /* Its reading side was shut, so whatever waits for its input wakes. */
    char byte;
    ASSERT_EQ(recv(fd1, &byte, 1, MSG_DONTWAIT), 0);
    conv_end(&s, &c1);
    close(peer1);

    /* Full again, and no address holds two more than the newcomer's: turned away. */
    ASSERT_EQ(admit_pair(&s, "127.0.0.2", 7004, &peer4), -1);
    ASSERT_STR_EQ(logged(), "Server: server busy, turned away ('127.0.0.2', 7004)");
    ASSERT_EQ(atomic_load(&s.stats.busy_rejections), 1);
    char reply[64] = "";
    ssize_t n = recv(peer4, reply, sizeof reply - 1, 0);
    reply[n > 0 ? n : 0] = '\0';
    ASSERT_STR_EQ(reply, "error: server busy");
    close(peer4);

    conv_end(&s, &c2);
    close(peer2);
    struct conv c3;
    conv_init(&s, &c3, fd3);
    conv_end(&s, &c3);
    close(peer3);
    ASSERT_EQ(atomic_load(&s.stats.connections_active), 0);
    ASSERT_EQ(admit_held(&s.admit), 0);
    ASSERT_EQ(atomic_load(&s.stats.connections_accepted), 4);
}

static void test_quiet(void)
{
    static struct conv_server s;
    server_init(&s, 1, 60, 65, 100);
    int peer;
    struct conv c;
    conv_init(&s, &c, admit_pair(&s, "127.0.0.1", 8001, &peer));
    conv_begin(&s, &c, 100 * S);
    ASSERT_EQ(feed(&s, &c, "1e1", 100 * S), CONV_MORE);
    ASSERT_EQ(feed(&s, &c, "ready", 100 * S), CONV_DONE);
    ASSERT_STR_EQ(reply_of(&c), "10.0");
    ASSERT_STR_EQ(logged(), "");
    conv_end(&s, &c);
    close(peer);
}

int main(void)
{
    /* The log goes to stdout: a file here, read back by logged(). */
    char path[] = "/tmp/test_conv.XXXXXX";
    log_fd = mkstemp(path);
    int saved = dup(STDOUT_FILENO);
    if (log_fd < 0 || saved < 0 || dup2(log_fd, STDOUT_FILENO) < 0) {
        perror("test_conv: cannot capture stdout");
        return 1;
    }
    unlink(path);
    test_conversations();
    test_limits();
    test_admission();
    test_quiet();
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    return check_done();
}
