/*
 * Intrusive doubly linked circular lists, in the manner of Linux's
 * <linux/list.h>: a struct list_head is embedded in the object, the list
 * head is a sentinel, and list_entry() recovers the object.
 *
 * An all-zero list_head is NOT a valid list: a head must be initialised with
 * INIT_LIST_HEAD() before use.  A node that is on no list has undefined
 * links (list_del() does not reset them), except in MM_DEBUG builds, which
 * poison them so a second list_del() faults.
 */
#ifndef GUEST_MM_LIST_H
#define GUEST_MM_LIST_H

#include "mm_types.h"

struct list_head {
	struct list_head *next;	/* following node, or the head */
	struct list_head *prev;	/* preceding node, or the head */
};

#define LIST_HEAD_INIT(name)	{ &(name), &(name) }
#define LIST_POISON1		((struct list_head *)0xdead000000000100UL)
#define LIST_POISON2		((struct list_head *)0xdead000000000122UL)

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

static inline void __list_add(struct list_head *new, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = new;
	new->next = next;
	new->prev = prev;
	prev->next = new;
}

/* Insert @new right after @head (stack order). */
static inline void list_add(struct list_head *new, struct list_head *head)
{
	__list_add(new, head, head->next);
}

/* Insert @new right before @head (queue order). */
static inline void list_add_tail(struct list_head *new, struct list_head *head)
{
	__list_add(new, head->prev, head);
}

static inline void list_del(struct list_head *entry)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
#ifdef MM_DEBUG
	entry->next = LIST_POISON1;
	entry->prev = LIST_POISON2;
#endif
}

static inline void list_move(struct list_head *entry, struct list_head *head)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	list_add(entry, head);
}

static inline void list_move_tail(struct list_head *entry,
				  struct list_head *head)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	list_add_tail(entry, head);
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

/* Move every node of @list to the front of @head, in order; @list is
 * left empty (initialised). */
static inline void list_splice_init(struct list_head *list,
				    struct list_head *head)
{
	if (list_empty(list))
		return;
	list->prev->next = head->next;
	head->next->prev = list->prev;
	head->next = list->next;
	list->next->prev = head;
	INIT_LIST_HEAD(list);
}

#define list_entry(ptr, type, member)	container_of(ptr, type, member)
#define list_first_entry(head, type, member) \
	list_entry((head)->next, type, member)
#define list_last_entry(head, type, member) \
	list_entry((head)->prev, type, member)

#define list_for_each(pos, head) \
	for (pos = (head)->next; pos != (head); pos = pos->next)

#define list_for_each_entry(pos, head, member)				\
	for (pos = list_entry((head)->next, __typeof__(*pos), member);	\
	     &pos->member != (head);					\
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))

#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_entry((head)->next, __typeof__(*pos), member),	\
	     n = list_entry(pos->member.next, __typeof__(*pos), member);	\
	     &pos->member != (head);					\
	     pos = n, n = list_entry(n->member.next, __typeof__(*n), member))

#endif /* GUEST_MM_LIST_H */
