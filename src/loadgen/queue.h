/* queue.h - an intrusive doubly linked FIFO. Sessions sit in one ordered by deadline and in
 * one ordered by the end of their pause: every session of a thread waits the same time, so
 * appending keeps both sorted, and one that ends early leaves in O(1). */
#ifndef LOADGEN_QUEUE_H
#define LOADGEN_QUEUE_H

#include <stddef.h>

struct queue_link {
    struct queue_link *prev, *next;
    int linked;
};

struct queue {
    struct queue_link *head, *tail;
};

#define queue_entry(link, type, member) ((type *)(void *)((char *)(link)-offsetof(type, member)))

static inline void queue_push(struct queue *q, struct queue_link *l)
{
    l->prev = q->tail;
    l->next = NULL;
    if (q->tail)
        q->tail->next = l;
    else
        q->head = l;
    q->tail = l;
    l->linked = 1;
}

static inline void queue_remove(struct queue *q, struct queue_link *l)
{
    if (!l->linked)
        return;
    if (l->prev)
        l->prev->next = l->next;
    else
        q->head = l->next;
    if (l->next)
        l->next->prev = l->prev;
    else
        q->tail = l->prev;
    l->prev = l->next = NULL;
    l->linked = 0;
}

#endif
