/* The pdfium engine's per-character and per-path-segment loops, compiled (optional).
 *
 * govreports/read/pdf_pdfium.py holds the same loops in Python (the reference, and the path used
 * when this extension is not built); this file is a line-by-line port of _page_chars,
 * _restore_space, _subpaths, _path_objects, _shape_edges and _edges, so that both give the very
 * same floats (the same double operations in the same order; build with -ffp-contract=off so
 * that no multiply-add is fused). tests/read/test_pdf_native.py compares them on every PDF.
 *
 * It does not link against pdfium: bind() receives the addresses of pdfium's functions from
 * pypdfium2's ctypes bindings (the library pypdfium2 has loaded), so there is one pdfium in the
 * process, whatever its version.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>

typedef struct { float left, top, right, bottom; } RectF;   /* FS_RECTF */
typedef struct { float a, b, c, d, e, f; } MatrixF;         /* FS_MATRIX */

typedef int (*int_of_page_index)(void *, int);
typedef void *(*ptr_of_page_index)(void *, int);
typedef int (*box_of)(void *, int, RectF *);
typedef int (*origin_of)(void *, int, double *, double *);
typedef double (*double_of_page_index)(void *, int);
typedef int (*matrix_of_index)(void *, int, MatrixF *);
typedef void *(*ptr_of_ptr)(void *);
typedef int (*int_of_ptr)(void *);
typedef void *(*ptr_of_ptr_ulong)(void *, unsigned long);
typedef int (*matrix_of_ptr)(void *, MatrixF *);
typedef int (*draw_mode_of)(void *, int *, int *);
typedef int (*point_of)(void *, float *, float *);

/* the order of the addresses bind() receives (pdf_pdfium.NATIVE_FUNCTIONS) */
static struct {
    int_of_page_index is_generated, map_error;
    ptr_of_page_index text_object;
    box_of loose_box;
    origin_of origin;
    double_of_page_index font_size;
    matrix_of_index get_matrix;
    ptr_of_ptr text_font;
    int_of_ptr page_count;
    ptr_of_page_index page_object;
    int_of_ptr form_count;
    ptr_of_ptr_ulong form_object;
    int_of_ptr object_type;
    matrix_of_ptr object_matrix;
    draw_mode_of draw_mode;
    int_of_ptr count_segments;
    ptr_of_page_index segment;
    int_of_ptr segment_type;
    point_of segment_point;
    int_of_ptr segment_close;
} api;
static int bound = 0;

/* Buffers pdfium writes into that the Python loops keep between calls (a failed call leaves the
 * previous values, as there). */
static MatrixF text_matrix;
static MatrixF object_matrix;

#define N_FUNCTIONS 20
#define MAP_SAMPLE 8
#define TOLERANCE 3.0
#define DROPPED_SPACE_GAP 2.95
#define EDGE_MIN_LENGTH_PREFILTER 1.0
#define PAGEOBJ_PATH 2
#define PAGEOBJ_FORM 5
#define SEGMENT_MOVETO 2
#define SEGMENT_BEZIERTO 1
#define MAX_FORM_DEPTH 500

/* Python's min(a, b) and max(a, b) of two floats: the first unless the second is smaller (larger) */
static inline double py_min(double a, double b) { return b < a ? b : a; }
static inline double py_max(double a, double b) { return b > a ? b : a; }

static PyObject *bind(PyObject *self, PyObject *addresses) {
    void *pointers[N_FUNCTIONS];
    if (!PyTuple_Check(addresses) || PyTuple_GET_SIZE(addresses) != N_FUNCTIONS) {
        PyErr_Format(PyExc_TypeError, "bind() takes a tuple of %d function addresses", N_FUNCTIONS);
        return NULL;
    }
    for (int i = 0; i < N_FUNCTIONS; i++) {
        pointers[i] = PyLong_AsVoidPtr(PyTuple_GET_ITEM(addresses, i));
        if (pointers[i] == NULL) {
            if (!PyErr_Occurred()) PyErr_Format(PyExc_ValueError, "function %d has no address", i);
            return NULL;
        }
    }
    memcpy(&api, pointers, sizeof(api));
    bound = 1;
    Py_RETURN_NONE;
}

static int is_space_like(Py_UCS4 c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 || c == 0xA0 || c == 0x3000;
}

static PyObject *char_tuple(PyObject *text, double x0, double x1, double top, double bottom) {
    PyObject *t = PyTuple_New(5);
    if (t == NULL) return NULL;
    Py_INCREF(text);
    PyTuple_SET_ITEM(t, 0, text);
    PyObject *values[4] = {PyFloat_FromDouble(x0), PyFloat_FromDouble(x1), PyFloat_FromDouble(top),
                           PyFloat_FromDouble(bottom)};
    for (int k = 0; k < 4; k++) {
        if (values[k] == NULL) {
            for (int j = k + 1; j < 4; j++) Py_XDECREF(values[j]);
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, k + 1, values[k]);
    }
    return t;
}

/* The descents of the fonts a page has used so far (the Python callback keeps the same per page) */
#define FONT_CACHE 64
typedef struct {
    void *font[FONT_CACHE];
    double descent[FONT_CACHE];
    int n;
} FontCache;

/* The font's descent: from the cache, else from the Python callback; -1 on a Python error */
static int font_descent(FontCache *cache, void *font, PyObject *descent_of, double *descent) {
    for (int k = 0; k < cache->n; k++) {
        if (cache->font[k] == font) { *descent = cache->descent[k]; return 0; }
    }
    PyObject *key = font ? PyLong_FromVoidPtr(font) : (Py_INCREF(Py_None), Py_None);
    if (key == NULL) return -1;
    PyObject *value = PyObject_CallOneArg(descent_of, key);
    Py_DECREF(key);
    if (value == NULL) return -1;
    *descent = PyFloat_AsDouble(value);
    Py_DECREF(value);
    if (*descent == -1.0 && PyErr_Occurred()) return -1;
    if (cache->n < FONT_CACHE) {
        cache->font[cache->n] = font;
        cache->descent[cache->n++] = *descent;
    }
    return 0;
}

/* The per-object metrics (_object_metrics): 0 on success, 1 when the characters are rotated or
 * mirrored, -1 on a Python error (raised by the descent callback). */
static int object_metrics(void *handle, int index, void *obj, PyObject *descent_of, FontCache *cache, double *a,
                          double *d, double *size, double *descent) {
    api.get_matrix(handle, index, &text_matrix);
    double ma = text_matrix.a, mb = text_matrix.b, mc = text_matrix.c, md = text_matrix.d;
    if (!(ma * md > 0 && mb * mc <= 0)) return 1;
    if (font_descent(cache, api.text_font(obj), descent_of, descent) < 0) return -1;
    *a = ma;
    *d = md;
    *size = api.font_size(handle, index);
    return 0;
}

/* Put back a space pdfium dropped (_restore_space); -1 on a Python error */
static int restore_space(PyObject *chars, double x0, double top, PyObject *space) {
    PyObject *prev = PyList_GET_ITEM(chars, PyList_GET_SIZE(chars) - 1);
    double prev_x1 = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(prev, 2));
    double prev_top = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(prev, 3));
    double gap = x0 - prev_x1;
    if (DROPPED_SPACE_GAP <= gap && gap <= TOLERANCE && fabs(top - prev_top) < 1) {
        PyObject *x = PyFloat_FromDouble(x0);
        if (x == NULL) return -1;
        PyObject *t = PyTuple_Pack(5, space, PyTuple_GET_ITEM(prev, 2), x, PyTuple_GET_ITEM(prev, 3),
                                   PyTuple_GET_ITEM(prev, 4));
        Py_DECREF(x);
        if (t == NULL) return -1;
        int failed = PyList_Append(chars, t);
        Py_DECREF(t);
        return failed;
    }
    return 0;
}

/* chars(textpage, texts, page_top, descent_of, checking) -> (status, chars, unmapped)
 *
 * status 0: read; 1: a sampled character lacks a Unicode map (read again with checking);
 * 2: rotated or mirrored characters. ``texts`` holds one code point per character of the text page.
 */
static PyObject *chars(PyObject *self, PyObject *args) {
    PyObject *page_arg, *texts, *descent_of;
    double page_top;
    int checking;
    if (!PyArg_ParseTuple(args, "OUdOp", &page_arg, &texts, &page_top, &descent_of, &checking)) return NULL;
    if (!bound) { PyErr_SetString(PyExc_RuntimeError, "bind() the pdfium functions first"); return NULL; }
    void *handle = PyLong_AsVoidPtr(page_arg);
    if (handle == NULL && PyErr_Occurred()) return NULL;
    Py_ssize_t count = PyUnicode_GET_LENGTH(texts);
    int kind = PyUnicode_KIND(texts);
    const void *data = PyUnicode_DATA(texts);
    PyObject *result = PyList_New(0), *space = PyUnicode_FromOrdinal(' ');
    if (result == NULL || space == NULL) goto error;
    RectF box = {0, 0, 0, 0};
    double x = 0, y = 0, a = 0, d = 0, size = 0, descent = 0;
    long unmapped = 0;
    int status = 0, generated_space = 0, have_last = 0;
    void *last = NULL;
    FontCache fonts;
    fonts.n = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (is_space_like(c) && api.is_generated(handle, (int)i) == 1) {
            generated_space = generated_space || c == ' ';
            continue;
        }
        if (checking || !(i % MAP_SAMPLE)) {
            if (api.map_error(handle, (int)i) == 1) {
                if (!checking) { status = 1; break; }
                unmapped += 1;
            }
        }
        void *obj = api.text_object(handle, (int)i);
        if (!have_last || obj != last || obj == NULL) {
            int failed = object_metrics(handle, (int)i, obj, descent_of, &fonts, &a, &d, &size, &descent);
            if (failed < 0) goto error;
            if (failed) { status = 2; break; }
            last = obj;
            have_last = 1;
        }
        api.loose_box(handle, (int)i, &box);
        api.origin(handle, (int)i, &x, &y);
        double left = box.left, top = box.top, right = box.right, bottom = box.bottom, low;
        if (a != 1 && fabs(right - left - size) < 0.01 && fabs(top - bottom - size) < 0.01) {
            right = left + a * size;
            low = y;
        } else {
            low = y + d * descent * size;
        }
        double high = low + d * size;
        PyObject *text = PyUnicode_FromOrdinal(c);
        if (text == NULL) goto error;
        double char_top = page_top - py_max(low, high), char_bottom = page_top - py_min(low, high);
        PyObject *t = char_tuple(text, left, right, char_top, char_bottom);
        Py_DECREF(text);
        if (t == NULL) goto error;
        if (generated_space && PyList_GET_SIZE(result) && restore_space(result, left, char_top, space) < 0) {
            Py_DECREF(t);
            goto error;
        }
        generated_space = 0;
        int failed = PyList_Append(result, t);
        Py_DECREF(t);
        if (failed) goto error;
    }
    Py_DECREF(space);
    return Py_BuildValue("(iNl)", status, result, unmapped);
error:
    Py_XDECREF(result);
    Py_XDECREF(space);
    return NULL;
}

/* ---------------------------------------------------------------- paths */

typedef struct {
    double *xy;      /* x, y of each point */
    char *shape;     /* one operator per point: m l c h */
    Py_ssize_t n, capacity;
} Subpath;

static int subpath_add(Subpath *s, double x, double y, char op) {
    if (s->n == s->capacity) {
        Py_ssize_t capacity = s->capacity ? 2 * s->capacity : 64;
        double *xy = PyMem_Realloc(s->xy, 2 * capacity * sizeof(double));
        if (xy == NULL) { PyErr_NoMemory(); return -1; }
        s->xy = xy;
        char *shape = PyMem_Realloc(s->shape, capacity);
        if (shape == NULL) { PyErr_NoMemory(); return -1; }
        s->shape = shape;
        s->capacity = capacity;
    }
    s->xy[2 * s->n] = x;
    s->xy[2 * s->n + 1] = y;
    s->shape[s->n] = op;
    s->n += 1;
    return 0;
}

static int append_edge(PyObject *edges, double x0, double top, double x1, double bottom, double length) {
    PyObject *e = PyList_New(5);
    if (e == NULL) return -1;
    double values[5] = {x0, top, x1, bottom, length};
    for (int k = 0; k < 5; k++) {
        PyObject *v = PyFloat_FromDouble(values[k]);
        if (v == NULL) { Py_DECREF(e); return -1; }
        PyList_SET_ITEM(e, k, v);
    }
    int failed = PyList_Append(edges, e);
    Py_DECREF(e);
    return failed;
}

/* One edge of _shape_edges, kept by _edges when long enough ('v', 'h' or 0 for neither) */
static int keep_edge(PyObject *vertical, PyObject *horizontal, double x0, double top, double x1, double bottom,
                     char orientation) {
    if (orientation == 'v' && bottom - top >= EDGE_MIN_LENGTH_PREFILTER)
        return append_edge(vertical, x0, top, x1, bottom, bottom - top);
    if (orientation == 'h' && x1 - x0 >= EDGE_MIN_LENGTH_PREFILTER)
        return append_edge(horizontal, x0, top, x1, bottom, x1 - x0);
    return 0;
}

static int same_point(const double *p, const double *q) { return p[0] == q[0] && p[1] == q[1]; }

static int is_square(const double *p) {  /* _square over the first four points */
    double x0 = p[0], y0 = p[1], x1 = p[2], y1 = p[3], x2 = p[4], y2 = p[5], x3 = p[6], y3 = p[7];
    return (x0 == x1 && y1 == y2 && x2 == x3 && y3 == y0) || (y0 == y1 && x1 == x2 && y2 == y3 && x3 == x0);
}

static int shape_is(const Subpath *s, Py_ssize_t n, const char *shape) {
    return (Py_ssize_t)strlen(shape) == n && memcmp(s->shape, shape, n) == 0;
}

/* _shape_edges then _edges' filter for one subpath */
static int subpath_edges(Subpath *s, PyObject *vertical, PyObject *horizontal) {
    Py_ssize_t n = s->n;
    double *xy = s->xy;
    if (n > 3 && s->shape[n - 2] == 'l' && s->shape[n - 1] == 'h' && same_point(xy + 2 * (n - 2), xy)) {
        s->shape[n - 2] = 'h';  /* "...lh" closing on the start: the line is the closing itself */
        xy[2 * (n - 2)] = xy[2 * (n - 1)];
        xy[2 * (n - 2) + 1] = xy[2 * (n - 1) + 1];
        n -= 1;
    }
    if (shape_is(s, n, "ml") || shape_is(s, n, "mlh")) {
        double ax = xy[0], ay = xy[1], bx = xy[2], by = xy[3];
        double top = py_min(ay, by), bottom = py_max(ay, by);
        return keep_edge(vertical, horizontal, py_min(ax, bx), top, py_max(ax, bx), bottom, top == bottom ? 'h' : 'v');
    }
    if ((shape_is(s, n, "mlllh") || shape_is(s, n, "mllll")) && same_point(xy, xy + 8) && is_square(xy)) {
        double p = xy[0], q = xy[4], x0, x1, top, bottom;
        if (q < p) { x0 = q; x1 = p; } else { x0 = p; x1 = q; }  /* sorted() of two */
        p = xy[1]; q = xy[5];
        if (q < p) { top = q; bottom = p; } else { top = p; bottom = q; }
        if (keep_edge(vertical, horizontal, x0, top, x1, top, 'h') < 0) return -1;
        if (keep_edge(vertical, horizontal, x0, bottom, x1, bottom, 'h') < 0) return -1;
        if (keep_edge(vertical, horizontal, x0, top, x0, bottom, 'v') < 0) return -1;
        return keep_edge(vertical, horizontal, x1, top, x1, bottom, 'v');
    }
    for (Py_ssize_t k = 0; k + 1 < n; k++) {
        double ax = xy[2 * k], ay = xy[2 * k + 1], bx = xy[2 * k + 2], by = xy[2 * k + 3];
        char orientation = ax == bx ? 'v' : (ay == by ? 'h' : 0);
        if (keep_edge(vertical, horizontal, py_min(ax, bx), py_min(ay, by), py_max(ax, bx), py_max(ay, by),
                      orientation) < 0)
            return -1;
    }
    return 0;
}

typedef struct {
    double page_top;
    PyObject *vertical, *horizontal;
    Subpath subpath;
    int fill, stroke;
    float px, py;
} PathState;

/* The subpaths of one painted path object (_subpaths' inner loop) */
static int path_edges(PathState *st, void *obj, const double *m) {
    if (!api.draw_mode(obj, &st->fill, &st->stroke) || !(st->fill || st->stroke)) return 0;
    double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5];
    Subpath *s = &st->subpath;
    s->n = 0;
    int bezier = 0;
    int segments = api.count_segments(obj);
    for (int k = 0; k < segments; k++) {
        void *segment = api.segment(obj, k);
        int kind = api.segment_type(segment);
        api.segment_point(segment, &st->px, &st->py);
        double px = st->px, py = st->py;
        double x = a * px + c * py + e, y = st->page_top - (b * px + d * py + f);
        char op;
        if (kind == SEGMENT_MOVETO) {
            if (s->n && subpath_edges(s, st->vertical, st->horizontal) < 0) return -1;
            s->n = 0;
            bezier = 0;
            if (subpath_add(s, x, y, 'm') < 0) return -1;
            continue;
        }
        if (kind == SEGMENT_BEZIERTO) {
            bezier += 1;
            if (bezier % 3) continue;  /* control points: pdfminer keeps a curve's end point only */
            op = 'c';
        } else {
            op = 'l';
        }
        if (subpath_add(s, x, y, op) < 0) return -1;
        if (api.segment_close(segment) && s->n) {
            if (subpath_add(s, s->xy[0], s->xy[1], 'h') < 0) return -1;
        }
    }
    if (s->n && subpath_edges(s, st->vertical, st->horizontal) < 0) return -1;
    return 0;
}

static void multiply(const double *m, const double *n, double *out) {  /* _multiply */
    double a = m[0], b = m[1], c = m[2], d = m[3], e = m[4], f = m[5];
    double a2 = n[0], b2 = n[1], c2 = n[2], d2 = n[3], e2 = n[4], f2 = n[5];
    out[0] = a * a2 + b * c2;
    out[1] = a * b2 + b * d2;
    out[2] = c * a2 + d * c2;
    out[3] = c * b2 + d * d2;
    out[4] = e * a2 + f * c2 + e2;
    out[5] = e * b2 + f * d2 + f2;
}

/* The paths on a page or inside a form (_path_objects), in page order */
static int objects_edges(PathState *st, void *parent, const double *outer, int depth) {
    if (depth > MAX_FORM_DEPTH) {
        PyErr_SetString(PyExc_RecursionError, "forms nested too deeply");
        return -1;
    }
    int count = depth ? api.form_count(parent) : api.page_count(parent);
    for (int index = 0; index < count; index++) {
        void *obj = depth ? api.form_object(parent, (unsigned long)index) : api.page_object(parent, index);
        int kind = api.object_type(obj);
        if (kind != PAGEOBJ_PATH && kind != PAGEOBJ_FORM) continue;
        api.object_matrix(obj, &object_matrix);
        double own[6] = {object_matrix.a, object_matrix.b, object_matrix.c, object_matrix.d, object_matrix.e,
                         object_matrix.f};
        double combined[6];
        if (outer == NULL) memcpy(combined, own, sizeof(own));
        else multiply(own, outer, combined);
        int failed = kind == PAGEOBJ_PATH ? path_edges(st, obj, combined) : objects_edges(st, obj, combined, depth + 1);
        if (failed < 0) return -1;
    }
    return 0;
}

/* edges(page, page_top) -> (vertical, horizontal): every painted path's edges, as _edges gives them */
static PyObject *edges(PyObject *self, PyObject *args) {
    PyObject *page_arg;
    PathState st = {0};
    if (!PyArg_ParseTuple(args, "Od", &page_arg, &st.page_top)) return NULL;
    if (!bound) { PyErr_SetString(PyExc_RuntimeError, "bind() the pdfium functions first"); return NULL; }
    void *page = PyLong_AsVoidPtr(page_arg);
    if (page == NULL && PyErr_Occurred()) return NULL;
    st.vertical = PyList_New(0);
    st.horizontal = PyList_New(0);
    PyObject *result = NULL;
    if (st.vertical && st.horizontal && objects_edges(&st, page, NULL, 0) == 0)
        result = PyTuple_Pack(2, st.vertical, st.horizontal);
    Py_XDECREF(st.vertical);
    Py_XDECREF(st.horizontal);
    PyMem_Free(st.subpath.xy);
    PyMem_Free(st.subpath.shape);
    return result;
}

/* ---------------------------------------------------------------- characters to table cells */

/* item k of a sequence as a double (tuples fast); -1 with an exception set on failure */
static int item_double(PyObject *seq, Py_ssize_t k, double *out) {
    PyObject *item = PyTuple_Check(seq) && k < PyTuple_GET_SIZE(seq) ? (Py_INCREF(PyTuple_GET_ITEM(seq, k)),
                                                                       PyTuple_GET_ITEM(seq, k))
                                                                    : PySequence_GetItem(seq, k);
    if (item == NULL) return -1;
    *out = PyFloat_AsDouble(item);
    Py_DECREF(item);
    return *out == -1.0 && PyErr_Occurred() ? -1 : 0;
}

/* Python's bisect.bisect_right over n doubles */
static Py_ssize_t bisect_right(const double *a, Py_ssize_t n, double x) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (x < a[mid]) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/* assign_chars(chars, xs, tops, stacks) -> {cell: chars}: pdf_geometry._assign_chars, compiled */
static PyObject *assign_chars(PyObject *self, PyObject *args) {
    PyObject *chars, *xs_list, *tops_list, *stacks;
    if (!PyArg_ParseTuple(args, "O!O!O!O!", &PyList_Type, &chars, &PyList_Type, &xs_list, &PyList_Type, &tops_list,
                          &PyList_Type, &stacks))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(xs_list), columns = PyList_GET_SIZE(tops_list), total = 0;
    if (n < 2 || columns != n - 1 || PyList_GET_SIZE(stacks) != columns) {
        PyErr_SetString(PyExc_ValueError, "assign_chars: one stack and one list of tops per column");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < columns; i++) {
        PyObject *column = PyList_GET_ITEM(tops_list, i), *stack = PyList_GET_ITEM(stacks, i);
        if (!PyList_Check(column) || !PyList_Check(stack) || PyList_GET_SIZE(column) != PyList_GET_SIZE(stack)) {
            PyErr_SetString(PyExc_ValueError, "assign_chars: each column's tops and cells are lists of one length");
            return NULL;
        }
        total += PyList_GET_SIZE(column);
    }
    /* xs, then every column's tops, then every column's cell bottoms; start[i]: column i's offset */
    double *xs = PyMem_Malloc((n + 2 * total + 1) * sizeof(double));
    Py_ssize_t *start = PyMem_Malloc((columns + 1) * sizeof(Py_ssize_t));
    PyObject *found = NULL;
    if (xs == NULL || start == NULL) { PyErr_NoMemory(); goto done; }
    double *tops = xs + n, *bottoms = tops + total;
    for (Py_ssize_t k = 0; k < n; k++) {
        xs[k] = PyFloat_AsDouble(PyList_GET_ITEM(xs_list, k));
        if (xs[k] == -1.0 && PyErr_Occurred()) goto done;
    }
    start[0] = 0;
    for (Py_ssize_t i = 0; i < columns; i++) {
        PyObject *column = PyList_GET_ITEM(tops_list, i), *stack = PyList_GET_ITEM(stacks, i);
        Py_ssize_t size = PyList_GET_SIZE(column);
        for (Py_ssize_t j = 0; j < size; j++) {
            Py_ssize_t at = start[i] + j;
            tops[at] = PyFloat_AsDouble(PyList_GET_ITEM(column, j));
            if (tops[at] == -1.0 && PyErr_Occurred()) goto done;
            if (item_double(PyList_GET_ITEM(stack, j), 3, &bottoms[at]) < 0) goto done;
        }
        start[i + 1] = start[i] + size;
    }
    found = PyDict_New();
    if (found == NULL) goto done;
    double left = xs[0], right = xs[n - 1];
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(chars); k++) {
        PyObject *c = PyList_GET_ITEM(chars, k);
        double x0, x1, top, bottom;
        if (item_double(c, 1, &x0) < 0 || item_double(c, 2, &x1) < 0) goto fail;
        double x = (x0 + x1) / 2;
        if (!(left <= x && x < right)) continue;
        Py_ssize_t i = bisect_right(xs, n, x) - 1;
        if (item_double(c, 3, &top) < 0 || item_double(c, 4, &bottom) < 0) goto fail;
        double y = (top + bottom) / 2;
        Py_ssize_t size = start[i + 1] - start[i];
        Py_ssize_t j = bisect_right(tops + start[i], size, y) - 1;
        if (j >= 0 && y < bottoms[start[i] + j]) {
            PyObject *cell = PyList_GET_ITEM(PyList_GET_ITEM(stacks, i), j);
            PyObject *empty = PyList_New(0);
            if (empty == NULL) goto fail;
            PyObject *held = PyDict_SetDefault(found, cell, empty);  /* borrowed */
            Py_DECREF(empty);
            if (held == NULL || PyList_Append(held, c) < 0) goto fail;
        }
    }
    goto done;
fail:
    Py_CLEAR(found);
done:
    PyMem_Free(xs);
    PyMem_Free(start);
    return found;
}

static PyMethodDef methods[] = {
    {"bind", bind, METH_O, "bind(addresses): pdfium's functions, in the order of pdf_pdfium.NATIVE_FUNCTIONS."},
    {"chars", chars, METH_VARARGS, "chars(textpage, texts, page_top, descent_of, checking) -> (status, chars, unmapped)."},
    {"edges", edges, METH_VARARGS, "edges(page, page_top) -> (vertical, horizontal)."},
    {"assign_chars", assign_chars, METH_VARARGS, "assign_chars(chars, xs, tops, stacks) -> {cell: chars}."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pdfium_loops",
                                    "The pdfium engine's character and path loops, compiled.", -1, methods};

PyMODINIT_FUNC PyInit__pdfium_loops(void) { return PyModule_Create(&module); }
