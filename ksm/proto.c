/*
 * The ksmd wire protocol (see ksm_internal.h): fixed-size messages over a
 * SOCK_SEQPACKET unix socket, memfds passed with SCM_RIGHTS.
 *
 * Every message is checked whole on arrival (ksm_msg_check: size, magic,
 * type, a terminated text) before anyone looks at it; what a field means
 * for one VM (is this region its own, is this page inside it) is checked by
 * the receiver against its own state. At most one fd is accepted per
 * message; any other is closed at once.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ksm/ksm_internal.h"

int ksm_msg_check(const void *buf, size_t len)
{
	struct ksm_msg m;

	if (len != sizeof(m))
		return -EINVAL;
	memcpy(&m, buf, sizeof(m));
	if (m.magic != KSM_MSG_MAGIC || m.type == 0 || m.type >= KSM_MSG_MAX)
		return -EINVAL;
	if (!memchr(m.text, '\0', sizeof(m.text)))
		return -EINVAL;
	if ((m.type == KSM_MERGE_RUN || m.type == KSM_STILL_RUN ||
	     m.type == KSM_SUM_RUN) &&
	    (m.nid == 0 || m.nid > KSM_RUN_MAX))
		return -EINVAL;
	if (m.type == KSM_REGION_ADD &&
	    (m.a == 0 || m.a > KSM_MAX_REGION_PAGES))
		return -EINVAL;
	return 0;
}

int ksm_msg_send(int sock, struct ksm_msg *m, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct iovec iov = { m, sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	m->magic = KSM_MSG_MAGIC;
	if (fd >= 0) {
		memset(&c, 0, sizeof(c));
		mh.msg_control = c.buf;
		mh.msg_controllen = sizeof(c.buf);
		c.h.cmsg_level = SOL_SOCKET;
		c.h.cmsg_type = SCM_RIGHTS;
		c.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&c.h), &fd, sizeof(int));
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL) != sizeof(*m))
		return errno ? -errno : -EIO;
	return 0;
}

/* Keep the first fd of @mh in *fd, close any others. */
static void take_fds(struct msghdr *mh, int *fd)
{
	struct cmsghdr *h;
	unsigned int i, n;
	int f;

	for (h = CMSG_FIRSTHDR(mh); h; h = CMSG_NXTHDR(mh, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&f, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
			if (*fd < 0)
				*fd = f;
			else
				close(f);
		}
	}
}

int ksm_msg_recv(int sock, struct ksm_msg *m, int *fd)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	char data[sizeof(*m) + 1];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

	*fd = -1;
	if (n < 0)
		return -errno;
	take_fds(&mh, fd);
	if (n == 0)
		return -EPIPE;
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    ksm_msg_check(data, n)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -EINVAL;
	}
	memcpy(m, data, sizeof(*m));
	return 0;
}
