#include <avro.h>

/* Avro C's value API is made of function-like macros that call through the value's iface.
 * Swift cannot import those macros, so each one used by Sources/Avro gets a typed inline
 * wrapper here. Nothing else: all logic lives in Swift. */

static inline void sc_avro_iface_decref(avro_value_iface_t *iface) { avro_value_iface_decref(iface); }

static inline int sc_avro_value_reset(avro_value_t *v) { return avro_value_reset(v); }
static inline int sc_avro_value_get_type(avro_value_t *v) { return (int) avro_value_get_type(v); }

static inline int sc_avro_value_get_boolean(avro_value_t *v, int *out) { return avro_value_get_boolean(v, out); }
static inline int sc_avro_value_get_int(avro_value_t *v, int32_t *out) { return avro_value_get_int(v, out); }
static inline int sc_avro_value_get_long(avro_value_t *v, int64_t *out) { return avro_value_get_long(v, out); }
static inline int sc_avro_value_get_float(avro_value_t *v, float *out) { return avro_value_get_float(v, out); }
static inline int sc_avro_value_get_double(avro_value_t *v, double *out) { return avro_value_get_double(v, out); }
static inline int sc_avro_value_get_string(avro_value_t *v, const char **str, size_t *size) { return avro_value_get_string(v, str, size); }
static inline int sc_avro_value_get_bytes(avro_value_t *v, const void **buf, size_t *size) { return avro_value_get_bytes(v, buf, size); }
static inline int sc_avro_value_get_fixed(avro_value_t *v, const void **buf, size_t *size) { return avro_value_get_fixed(v, buf, size); }
static inline int sc_avro_value_get_enum(avro_value_t *v, int *out) { return avro_value_get_enum(v, out); }

static inline int sc_avro_value_set_null(avro_value_t *v) { return avro_value_set_null(v); }
static inline int sc_avro_value_set_boolean(avro_value_t *v, int x) { return avro_value_set_boolean(v, x); }
static inline int sc_avro_value_set_int(avro_value_t *v, int32_t x) { return avro_value_set_int(v, x); }
static inline int sc_avro_value_set_long(avro_value_t *v, int64_t x) { return avro_value_set_long(v, x); }
static inline int sc_avro_value_set_float(avro_value_t *v, float x) { return avro_value_set_float(v, x); }
static inline int sc_avro_value_set_double(avro_value_t *v, double x) { return avro_value_set_double(v, x); }
/* set_string_len wants the length including the terminating NUL. */
static inline int sc_avro_value_set_string_len(avro_value_t *v, const char *s, size_t size) { return avro_value_set_string_len(v, s, size); }
static inline int sc_avro_value_set_bytes(avro_value_t *v, void *buf, size_t size) { return avro_value_set_bytes(v, buf, size); }
static inline int sc_avro_value_set_fixed(avro_value_t *v, void *buf, size_t size) { return avro_value_set_fixed(v, buf, size); }
static inline int sc_avro_value_set_enum(avro_value_t *v, int x) { return avro_value_set_enum(v, x); }

static inline int sc_avro_value_get_size(avro_value_t *v, size_t *size) { return avro_value_get_size(v, size); }
static inline int sc_avro_value_get_by_index(avro_value_t *v, size_t i, avro_value_t *child, const char **name) { return avro_value_get_by_index(v, i, child, name); }
static inline int sc_avro_value_get_by_name(avro_value_t *v, const char *name, avro_value_t *child, size_t *index) { return avro_value_get_by_name(v, name, child, index); }
static inline int sc_avro_value_get_discriminant(avro_value_t *v, int *out) { return avro_value_get_discriminant(v, out); }
static inline int sc_avro_value_get_current_branch(avro_value_t *v, avro_value_t *branch) { return avro_value_get_current_branch(v, branch); }
static inline int sc_avro_value_append(avro_value_t *v, avro_value_t *child, size_t *index) { return avro_value_append(v, child, index); }
static inline int sc_avro_value_add(avro_value_t *v, const char *key, avro_value_t *child, size_t *index, int *is_new) { return avro_value_add(v, key, child, index, is_new); }
static inline int sc_avro_value_set_branch(avro_value_t *v, int discriminant, avro_value_t *branch) { return avro_value_set_branch(v, discriminant, branch); }
