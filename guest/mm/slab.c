/*
 * The slab allocator: kmem_cache_* and kmalloc/kfree.
 *
 * Organised like Linux's SLAB (Bonwick's design as described in
 * "Understanding the Linux Kernel"):
 *
 *  - a cache (struct kmem_cache) hands out objects of one size; its slabs
 *    are blocks of 2^order pages from the buddy, cut into num objects;
 *  - the slab descriptor lives in the head struct page (PG_slab,
 *    slab_cache, freelist, inuse, objects); every page of a multi-page
 *    slab has PG_slab and slab_cache, so kfree() of any object finds its
 *    cache from virt_to_page();
 *  - free objects inside a slab form a list linked through their first
 *    word (page->freelist is the first);
 *  - each CPU has an array cache (struct array_cache): a LIFO stack of free
 *    objects.  The fast paths push and pop it with interrupts off and no
 *    lock; refill and flush move batchcount objects between it and the
 *    slabs under the cache's list_lock;
 *  - slabs sit on slabs_full, slabs_partial or slabs_free; at most one
 *    empty slab is kept per cache, further empty ones go back to the buddy.
 *
 * kmalloc() sizes 8 .. 8192 map to 13 caches (8, 16, 32, 64, 96, 128, 192,
 * 256, 512, 1k, 2k, 4k, 8k); larger requests get whole pages from the
 * buddy (PG_head on the first page, order in ->private).
 *
 * A cache's cpu_cache[] points at the shared no_array (limit 0, so both
 * empty and full) until the CPU first uses the cache: the fast paths test
 * one counter, never a NULL pointer.
 *
 * Bootstrap: "kmem_cache" (the caches' own descriptors),
 * "kmem_cache_ac" (array caches; it has none itself, SLAB_NOARRAY) and
 * the kmalloc caches (never destroyed) are static, so boot allocates no
 * slab; a CPU's array cache is allocated on its first use of a cache.
 *
 * Invariants: objects in array caches are counted as in use by their
 * slab (inuse), as in SLAB; free_objects counts objects on slab freelists;
 * num_slabs * num = inuse total + free_objects.
 *
 * Locking: list_lock (irqs off) for the slab lists and counters; the array
 * cache of a CPU only on that CPU with irqs off; slab_caches list under
 * slab_mutex (a spinlock here).
 */
#include "mm_internal.h"

#define SLAB_NOARRAY	0x1u	/* internal: no per-CPU array caches */
#define SLAB_POISON_BYTE 0x6b
#define AC_MAX_LIMIT	120

struct array_cache {
	unsigned int avail;		/* objects in entry[] */
	unsigned int limit;		/* capacity of entry[] */
	unsigned int batchcount;	/* objects per refill / flush */
	unsigned int __pad;
	void *entry[];			/* LIFO of free objects */
};

struct kmem_cache {
	struct array_cache *cpu_cache[NR_CPUS];	/* &no_array until used */
	unsigned int size;		/* object stride in the slab */
	unsigned int object_size;	/* size asked for */
	unsigned int align;		/* object alignment */
	unsigned int num;		/* objects per slab */
	unsigned int order;		/* slab = 2^order pages */
	unsigned int flags;		/* SLAB_* */
	unsigned int limit;		/* array cache capacity */
	unsigned int batchcount;	/* array cache refill/flush size */
	gfp_t allocflags;		/* added to every slab allocation */
	void (*ctor)(void *obj);	/* run on each object of a new slab */
	const char *name;		/* for /proc/slabinfo */
	spinlock_t list_lock;		/* lists and counters below */
	struct list_head slabs_full;	/* slabs with no free object */
	struct list_head slabs_partial;	/* slabs with some */
	struct list_head slabs_free;	/* slabs with all free (<= 1) */
	unsigned long num_slabs;	/* slabs owned */
	unsigned long free_objects;	/* objects on slab freelists */
	struct list_head list;		/* on slab_caches */
};

/* Every cache's cpu_cache[] starts here: empty and full at once. */
static struct array_cache no_array = { .avail = 0, .limit = 0 };

static struct kmem_cache kmem_cache_boot;	/* "kmem_cache" */
static struct kmem_cache ac_cache;		/* "kmem_cache_ac" */
static struct kmem_cache *kmalloc_caches[13];	/* by kmalloc_index() */
static struct kmem_cache kmalloc_cache_boot[13];	/* what they point at */
static struct list_head slab_caches;		/* every cache */
static spinlock_t slab_mutex;			/* slab_caches */
static bool slab_up;				/* array caches usable */

static const unsigned int kmalloc_sizes[13] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};
static const char *const kmalloc_names[13] = {
	"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
	"kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512",
	"kmalloc-1k", "kmalloc-2k", "kmalloc-4k", "kmalloc-8k",
};

/* kmalloc cache index of sizes 1..192, by (size - 1) / 8. */
static const unsigned char size_index[24] = {
	0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5,
	6, 6, 6, 6, 6, 6, 6, 6,
};

static inline unsigned int kmalloc_index(size_t size)
{
	if (size <= 192)
		return size_index[(size - 1) / 8];
	return __fls_ul(size - 1);	/* 256 -> 7 ... 8192 -> 12 */
}

/* ---------------------------------------------------------- slabs */

static inline void *slab_base(const struct kmem_cache *s, const void *obj)
{
	return (void *)ALIGN_DOWN((unsigned long)obj,
				  PAGE_SIZE << s->order);
}

static void slab_account(struct page *page, const struct kmem_cache *s,
			 long sign)
{
	mod_zone_page_state(page_zone(page),
			    (s->flags & SLAB_RECLAIM_ACCOUNT) ?
			    NR_SLAB_RECLAIMABLE : NR_SLAB_UNRECLAIMABLE,
			    sign << s->order);
}

/* A new slab for @s, all objects free; NULL if no memory.  No locks. */
static struct page *cache_grow(struct kmem_cache *s, gfp_t gfp)
{
	struct page *page = alloc_pages((gfp & ~__GFP_ZERO) | s->allocflags,
					s->order);
	char *base, *obj;

	if (!page)
		return NULL;
	for (unsigned long i = 0; i < (1UL << s->order); i++) {
		__SetPageSlab(&page[i]);
		page[i].slab_cache = s;
	}
	base = page_address(page);
	for (unsigned int i = 0; i < s->num; i++) {
		obj = base + (unsigned long)i * s->size;
#ifdef MM_DEBUG
		if (!s->ctor)
			memset(obj, SLAB_POISON_BYTE, s->object_size);
#endif
		if (s->ctor)
			s->ctor(obj);
		*(void **)obj = i + 1 < s->num ? obj + s->size : NULL;
	}
	page->freelist = base;
	page->inuse = 0;
	page->objects = s->num;
	slab_account(page, s, 1);
	return page;
}

/* Give an empty slab back to the buddy. */
static void slab_release(struct kmem_cache *s, struct page *page)
{
	slab_account(page, s, -1);
	for (unsigned long i = 0; i < (1UL << s->order); i++) {
		__ClearPageSlab(&page[i]);
		page[i].slab_cache = NULL;
	}
	page->freelist = NULL;
	page->inuse = 0;
	page->objects = 0;
	__free_pages(page, s->order);
}

/* Take one object from a slab with free ones; list_lock held. */
static void *slab_get_object(struct kmem_cache *s, struct page *slab)
{
	void *obj = slab->freelist;

	slab->freelist = *(void **)obj;
	slab->inuse++;
	s->free_objects--;
	if (!slab->freelist)
		list_move(&slab->lru, &s->slabs_full);
	else if (slab->inuse == 1)
		list_move(&slab->lru, &s->slabs_partial);
	return obj;
}

/* Return @obj to its slab; list_lock held. */
static void slab_put_object(struct kmem_cache *s, void *obj)
{
	struct page *slab = virt_to_page(slab_base(s, obj));

	VM_BUG_ON(!PageSlab(slab) || slab->slab_cache != s || !slab->inuse);
	*(void **)obj = slab->freelist;
	slab->freelist = obj;
	slab->inuse--;
	s->free_objects++;
	if (slab->inuse) {
		if (slab->inuse + 1 == slab->objects)
			list_move(&slab->lru, &s->slabs_partial);
		return;
	}
	if (list_empty(&s->slabs_free)) {
		list_move(&slab->lru, &s->slabs_free);
		return;
	}
	list_del(&slab->lru);
	s->num_slabs--;
	s->free_objects -= s->num;
	slab_release(s, slab);
}

/* A slab with a free object, growing the cache if needed; list_lock held
 * on entry and exit (dropped while growing).  NULL if no memory. */
static struct page *get_free_slab(struct kmem_cache *s, gfp_t gfp)
{
	struct page *slab;

	if (!list_empty(&s->slabs_partial))
		return list_first_entry(&s->slabs_partial, struct page, lru);
	if (!list_empty(&s->slabs_free))
		return list_first_entry(&s->slabs_free, struct page, lru);
	spin_unlock(&s->list_lock);
	slab = cache_grow(s, gfp);
	spin_lock(&s->list_lock);
	if (!slab)
		return NULL;
	list_add(&slab->lru, &s->slabs_free);
	s->num_slabs++;
	s->free_objects += s->num;
	return slab;
}

/* ------------------------------------------------ array caches, paths */

static struct array_cache *alloc_arraycache(struct kmem_cache *s, gfp_t gfp);

/* Refill this CPU's array cache (or get one object if it has none). */
static void *cache_alloc_slow(struct kmem_cache *s, gfp_t gfp,
			      unsigned int cpu)
{
	struct array_cache *ac = s->cpu_cache[cpu];
	struct page *slab;
	void *obj = NULL;

	if (ac == &no_array && slab_up && !(s->flags & SLAB_NOARRAY)) {
		ac = alloc_arraycache(s, gfp);
		if (ac)
			s->cpu_cache[cpu] = ac;
		else
			ac = &no_array;
	}
	spin_lock(&s->list_lock);
	if (ac == &no_array) {
		slab = get_free_slab(s, gfp);
		obj = slab ? slab_get_object(s, slab) : NULL;
		spin_unlock(&s->list_lock);
		return obj;
	}
	while (ac->avail < ac->batchcount) {
		slab = get_free_slab(s, gfp);
		if (!slab)
			break;
		while (slab->freelist && ac->avail < ac->batchcount)
			ac->entry[ac->avail++] = slab_get_object(s, slab);
	}
	spin_unlock(&s->list_lock);
	return ac->avail ? ac->entry[--ac->avail] : NULL;
}

/* This CPU's array cache is full (or absent): flush a batch, keep @obj. */
static void cache_free_slow(struct kmem_cache *s, void *obj, unsigned int cpu)
{
	struct array_cache *ac = s->cpu_cache[cpu];
	unsigned int n;

	spin_lock(&s->list_lock);
	if (ac == &no_array) {
		slab_put_object(s, obj);
		spin_unlock(&s->list_lock);
		return;
	}
	n = ac->batchcount;
	for (unsigned int i = 0; i < n; i++)
		slab_put_object(s, ac->entry[i]);
	spin_unlock(&s->list_lock);
	ac->avail -= n;
	for (unsigned int i = 0; i < ac->avail; i++)
		ac->entry[i] = ac->entry[i + n];
	ac->entry[ac->avail++] = obj;
}

#ifdef MM_DEBUG
static void check_poison(const struct kmem_cache *s, const void *obj)
{
	const unsigned char *p = obj;

	if (s->ctor)
		return;
	for (unsigned int i = sizeof(void *); i < s->object_size; i++)
		if (p[i] != SLAB_POISON_BYTE)
			mm_panic("slab %s: object %p modified after free",
				 s->name, obj);
}
#endif

static __always_inline void *slab_alloc(struct kmem_cache *s, gfp_t gfp)
{
	unsigned long flags = arch_local_irq_save();
	unsigned int cpu = arch_cpu_id();
	struct array_cache *ac = s->cpu_cache[cpu];
	void *obj;

	if (likely(ac->avail))
		obj = ac->entry[--ac->avail];
	else
		obj = cache_alloc_slow(s, gfp, cpu);
	arch_local_irq_restore(flags);
#ifdef MM_DEBUG
	if (obj)
		check_poison(s, obj);
#endif
	if (unlikely(gfp & __GFP_ZERO) && obj)
		memset(obj, 0, s->object_size);
	return obj;
}

static __always_inline void slab_free(struct kmem_cache *s, void *obj)
{
	unsigned long flags;
	struct array_cache *ac;
	unsigned int cpu;

#ifdef MM_DEBUG
	if (!s->ctor)
		memset(obj, SLAB_POISON_BYTE, s->object_size);
#endif
	flags = arch_local_irq_save();
	cpu = arch_cpu_id();
	ac = s->cpu_cache[cpu];
	if (likely(ac->avail < ac->limit))
		ac->entry[ac->avail++] = obj;
	else
		cache_free_slow(s, obj, cpu);
	arch_local_irq_restore(flags);
}

static struct array_cache *alloc_arraycache(struct kmem_cache *s, gfp_t gfp)
{
	struct array_cache *ac = slab_alloc(&ac_cache, gfp & ~__GFP_ZERO);

	if (ac) {
		ac->avail = 0;
		ac->limit = s->limit;
		ac->batchcount = s->batchcount;
	}
	return ac;
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	return slab_alloc(s, gfp);
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	if (obj)
		slab_free(s, obj);
}

/* ------------------------------------------------------------ kmalloc */

static void *kmalloc_large(size_t size, gfp_t gfp)
{
	unsigned int order = get_order(size);
	struct page *page = alloc_pages(gfp, order);

	if (!page)
		return NULL;
	__SetPageHead(page);
	page->private = order;
	return page_address(page);
}

static __attribute__((noinline)) void *kmalloc_slow(size_t size, gfp_t gfp)
{
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_large(size, gfp);
	return slab_alloc(kmalloc_caches[kmalloc_index(size)], gfp);
}

/*
 * kmalloc()'s fast path pops this CPU's array cache of the size class;
 * everything else (size 0, large, __GFP_ZERO, empty array) is slow path.
 */
void *kmalloc(size_t size, gfp_t gfp)
{
	struct kmem_cache *s;
	struct array_cache *ac;
	unsigned long flags;
	void *obj;

	if (unlikely(size - 1 >= KMALLOC_MAX_CACHE_SIZE || (gfp & __GFP_ZERO)))
		return kmalloc_slow(size, gfp);
	s = kmalloc_caches[kmalloc_index(size)];
	flags = arch_local_irq_save();
	ac = s->cpu_cache[arch_cpu_id()];
	if (unlikely(!ac->avail)) {
		arch_local_irq_restore(flags);
		return kmalloc_slow(size, gfp);
	}
	/* A non-empty array holds only valid objects: no NULL test. */
	obj = ac->entry[--ac->avail];
	arch_local_irq_restore(flags);
#ifdef MM_DEBUG
	check_poison(s, obj);
#endif
	return obj;
}

static __attribute__((noinline)) void kfree_large(struct page *page)
{
	unsigned int order = (unsigned int)page->private;

	BUG_ON(!PageHead(page));
	__ClearPageHead(page);
	page->private = 0;
	__free_pages(page, order);
}

void kfree(const void *obj)
{
	struct page *page;

	if (unlikely((unsigned long)obj <= (unsigned long)ZERO_SIZE_PTR))
		return;
	page = virt_to_page(obj);
	if (unlikely(!PageSlab(page))) {
		kfree_large(page);
		return;
	}
	slab_free(page->slab_cache, (void *)obj);
}

/* Usable bytes of an allocated object. */
size_t ksize(const void *obj)
{
	const struct page *page;

	if (unlikely((unsigned long)obj <= (unsigned long)ZERO_SIZE_PTR))
		return 0;
	page = virt_to_page(obj);
	if (PageSlab(page))
		return page->slab_cache->object_size;
	return PAGE_SIZE << page->private;
}

/* ------------------------------------------------------------ caches */

/* Smallest order (<= 3) wasting at most 1/8 of the slab, else 3. */
static unsigned int calculate_slab_order(unsigned int size)
{
	unsigned int order;

	for (order = 0; order < 3; order++) {
		unsigned long bytes = PAGE_SIZE << order;

		if (bytes >= size && (bytes % size) * 8 <= bytes)
			break;
	}
	return order;
}

/* SLAB's enable_cpucache() limits. */
static unsigned int cache_limit(unsigned int size)
{
	if (size > 4096)
		return 8;
	if (size > 1024)
		return 24;
	if (size > 256)
		return 54;
	return AC_MAX_LIMIT;
}

static void init_cache(struct kmem_cache *s, const char *name,
		       unsigned int size, unsigned int align,
		       unsigned int flags, void (*ctor)(void *))
{
	unsigned int ralign = 64;

	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		s->cpu_cache[cpu] = &no_array;
	if (flags & SLAB_HWCACHE_ALIGN) {
		while (size <= ralign / 2)
			ralign /= 2;
		align = max(align, ralign);
	}
	align = max(align, (unsigned int)sizeof(void *));
	s->name = name;
	s->object_size = size;
	s->align = align;
	s->size = ALIGN(max(size, (unsigned int)sizeof(void *)), align);
	s->flags = flags;
	s->ctor = ctor;
	s->order = calculate_slab_order(s->size);
	s->num = (unsigned int)((PAGE_SIZE << s->order) / s->size);
	s->limit = cache_limit(s->size);
	s->batchcount = (s->limit + 1) / 2;
	s->allocflags = (flags & SLAB_RECLAIM_ACCOUNT) ? __GFP_RECLAIMABLE :
							 0;
	INIT_LIST_HEAD(&s->slabs_full);
	INIT_LIST_HEAD(&s->slabs_partial);
	INIT_LIST_HEAD(&s->slabs_free);
	spin_lock(&slab_mutex);
	list_add_tail(&s->list, &slab_caches);
	spin_unlock(&slab_mutex);
}

/*
 * A cache of @size-byte objects aligned to @align (SLAB_HWCACHE_ALIGN:
 * to the cache line as far as the size allows).  @name must outlive the
 * cache.  NULL if no memory (panics with SLAB_PANIC).
 */
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned int flags,
				     void (*ctor)(void *obj))
{
	struct kmem_cache *s = NULL;

	if (size && size <= (PAGE_SIZE << 3) && !(align & (align - 1)))
		s = slab_alloc(&kmem_cache_boot, GFP_KERNEL | __GFP_ZERO);
	if (!s) {
		if (flags & SLAB_PANIC)
			mm_panic("kmem_cache_create: %s failed", name);
		return NULL;
	}
	init_cache(s, name, size, align, flags & ~SLAB_NOARRAY, ctor);
	return s;
}

/* Return the objects of every CPU's array cache to the slabs. */
static void drain_array_caches(struct kmem_cache *s)
{
	unsigned long flags;

	for (int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct array_cache *ac = s->cpu_cache[cpu];

		if (ac == &no_array)
			continue;
		spin_lock_irqsave(&s->list_lock, flags);
		for (unsigned int i = 0; i < ac->avail; i++)
			slab_put_object(s, ac->entry[i]);
		spin_unlock_irqrestore(&s->list_lock, flags);
		s->cpu_cache[cpu] = &no_array;
		slab_free(&ac_cache, ac);
	}
}

/*
 * Destroy a cache nobody uses any more: its pages go back to the buddy.
 * A cache with objects still allocated is reported and leaked.
 */
void kmem_cache_destroy(struct kmem_cache *s)
{
	unsigned long flags;
	struct page *slab, *next;

	if (!s)
		return;
	drain_array_caches(s);
	spin_lock_irqsave(&s->list_lock, flags);
	if (!list_empty(&s->slabs_full) || !list_empty(&s->slabs_partial)) {
		spin_unlock_irqrestore(&s->list_lock, flags);
		mm_log(MM_LOG_ERR, "kmem_cache_destroy %s: Slab cache still "
		       "has objects", s->name);
		return;
	}
	list_for_each_entry_safe(slab, next, &s->slabs_free, lru) {
		list_del(&slab->lru);
		slab_release(s, slab);
	}
	spin_unlock_irqrestore(&s->list_lock, flags);
	spin_lock(&slab_mutex);
	list_del(&s->list);
	spin_unlock(&slab_mutex);
	slab_free(&kmem_cache_boot, s);
}

void kmem_cache_init(void)
{
	INIT_LIST_HEAD(&slab_caches);
	init_cache(&kmem_cache_boot, "kmem_cache", sizeof(struct kmem_cache),
		   0, SLAB_HWCACHE_ALIGN, NULL);
	init_cache(&ac_cache, "kmem_cache_ac", sizeof(struct array_cache) +
		   AC_MAX_LIMIT * sizeof(void *), 0, SLAB_NOARRAY, NULL);
	for (unsigned int i = 0; i < ARRAY_SIZE(kmalloc_caches); i++) {
		kmalloc_caches[i] = &kmalloc_cache_boot[i];
		init_cache(kmalloc_caches[i], kmalloc_names[i],
			   kmalloc_sizes[i], 0, SLAB_PANIC, NULL);
	}
	slab_up = true;
}

/* ------------------------------------------------------ /proc/slabinfo */

static void cache_show(struct mm_seq *m, struct kmem_cache *s)
{
	unsigned long flags, num_objs, active_objs, num_slabs, active_slabs;

	spin_lock_irqsave(&s->list_lock, flags);
	num_slabs = s->num_slabs;
	num_objs = num_slabs * s->num;
	active_objs = num_objs - s->free_objects;
	active_slabs = num_slabs - !list_empty(&s->slabs_free);
	spin_unlock_irqrestore(&s->list_lock, flags);
	mm_seq_printf(m, "%-17s %6lu %6lu %6u %4u %4d", s->name, active_objs,
		   num_objs, s->size, s->num, 1 << s->order);
	mm_seq_printf(m, " : tunables %4u %4u %4u",
		   (s->flags & SLAB_NOARRAY) ? 0 : s->limit,
		   (s->flags & SLAB_NOARRAY) ? 0 : s->batchcount, 0U);
	mm_seq_printf(m, " : slabdata %6lu %6lu %6lu\n", active_slabs,
		   num_slabs, 0UL);
}

int mm_show_slabinfo(char *buf, size_t len)
{
	struct mm_seq m = { buf, len, 0 };
	struct kmem_cache *s;

	mm_seq_printf(&m, "slabinfo - version: 2.1\n");
	mm_seq_printf(&m, "# name            <active_objs> <num_objs> "
		   "<objsize> <objperslab> <pagesperslab> : tunables <limit> "
		   "<batchcount> <sharedfactor> : slabdata <active_slabs> "
		   "<num_slabs> <sharedavail>\n");
	spin_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list)
		cache_show(&m, s);
	spin_unlock(&slab_mutex);
	return mm_seq_result(&m);
}

#ifdef MM_HOST
void slab_host_reset(void)
{
	memset(&kmem_cache_boot, 0, sizeof(kmem_cache_boot));
	memset(&ac_cache, 0, sizeof(ac_cache));
	memset(kmalloc_caches, 0, sizeof(kmalloc_caches));
	memset(kmalloc_cache_boot, 0, sizeof(kmalloc_cache_boot));
	no_array.avail = 0;
	memset(&slab_caches, 0, sizeof(slab_caches));
	slab_up = false;
}
#endif
