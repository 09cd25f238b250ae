/*
 * The control client of ksmd (`memvisor ctl --ksm PATH ksm get|set`): one
 * CTL_GET or CTL_SET message, then LINE messages until END, whose result
 * and text say whether it worked.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ksm/ksm.h"
#include "ksm/ksm_internal.h"

static int ctl_connect(const char *path, struct errmsg *e)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct timeval tv = { 10, 0 };
	int s;

	if (strlen(path) >= sizeof(a.sun_path))
		return errmsg_user(e, -ENAMETOOLONG, "--ksm: path too long");
	strcpy(a.sun_path, path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int err = -errno;

		if (s >= 0)
			close(s);
		return errmsg_set(e, err, "cannot reach ksmd at %s: %s", path,
				  strerror(-err));
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return s;
}

static int ctl_call(const char *path, uint16_t type, const char *text,
		    FILE *out, struct errmsg *e)
{
	struct ksm_msg m = { .type = type };
	int s = ctl_connect(path, e), fd, ret;

	if (s < 0)
		return s;
	snprintf(m.text, sizeof(m.text), "%s", text ? text : "");
	ret = ksm_msg_send(s, &m, -1);
	while (!ret) {
		ret = ksm_msg_recv(s, &m, &fd);
		if (fd >= 0)
			close(fd);
		if (ret)
			break;
		if (m.type == KSM_END)
			break;
		if (m.type == KSM_LINE && out)
			fprintf(out, "%s\n", m.text);
	}
	close(s);
	if (ret)
		return errmsg_set(e, ret, "ksmd at %s did not answer", path);
	if (m.result == -ENOENT && type == KSM_CTL_GET)
		return errmsg_user(e, -ENOENT, "unknown ksm tunable or statistic '%s'", text);
	if (m.result)
		return errmsg_user(e, m.result, "%s", m.text);
	return 0;
}

int ksm_ctl_get(const char *path, const char *name, FILE *out,
		struct errmsg *e)
{
	return ctl_call(path, KSM_CTL_GET, name, out, e);
}

int ksm_ctl_set(const char *path, const char *assignment, struct errmsg *e)
{
	return ctl_call(path, KSM_CTL_SET, assignment, NULL, e);
}
