/*
 * The hottest passes over BSL text, in C: what the parser and the rule engine spent most of their
 * time on at 1C:ERP size, each a Python regular expression with a callback or a loop per match.
 *
 *   lexer_view          lexer.code_view, the parser's code view
 *   rules_view          rules.source._code_view, the rules' code view
 *   identifier_counts   ModuleSource.identifier_counts, the words of a code view
 *   method_complexity   complexity.method_complexity
 *   declaration_sites   declarations.declaration_sites, the method headers and end keywords
 *   call_sites          calls.call_sites, every name( and qualifier.name(
 *   table_sites         queries.table_sites, the metadata tables named in a query text
 *   code_lines          module.code_lines, the lines that count towards ncloc
 *   doc_comment         declarations.doc_comment, the // block above a method
 *   long_lines          rules.line_length.long_lines, lines wider than a limit with tabs expanded
 *   lower               lexer.lower, str.lower where no character needs its context or becomes two
 *
 * Each implements exactly its Python twin: the regular expressions (for the views: COMMENT,
 * STRING, PREPROCESSOR, ANNOTATION and _COMMENT_LINE of lexer.py), for doc_comment and
 * long_lines the string methods (lstrip, expandtabs) the twin calls, for lower str.lower itself.
 * The Python versions stay as the reference (and the fallback where no C compiler was at hand), and
 * tests/unit/bsl/test_scan_speedups.py checks both agree on generated and on real modules.
 *
 * Character classes follow Python's `re` on str patterns: \w is Py_UNICODE_ISALNUM or "_", \d is
 * Py_UNICODE_ISDECIMAL; str.strip() strips Py_UNICODE_ISSPACE.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <uchar.h>

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t n;
} Text;

static inline Py_UCS4 at(const Text *t, Py_ssize_t i) { return PyUnicode_READ(t->kind, t->data, i); }

/* ASCII and the Russian letters answered here: the Unicode database lookups behind
 * Py_UNICODE_ISALNUM (four of them) cost more than the rest of a scan. */
static inline int is_ascii_letter(Py_UCS4 c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

static inline int is_word(Py_UCS4 c)
{
    if (c < 128)
        return is_ascii_letter(c) || (c >= '0' && c <= '9') || c == '_';
    if (c >= 0x410 && c <= 0x44F)
        return 1;
    return Py_UNICODE_ISALNUM(c);
}

/* [^\W\d] */
static inline int is_word_start(Py_UCS4 c)
{
    if (c < 128)
        return is_ascii_letter(c) || c == '_';
    if (c >= 0x410 && c <= 0x44F)
        return 1;
    return Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c);
}

/* The end of the run of \w from t[i], at most *end*. */
static inline Py_ssize_t word_end(const Text *t, Py_ssize_t i, Py_ssize_t end)
{
    while (i < end && is_word(at(t, i)))
        i++;
    return i;
}

/* The start of the run of \w that ends just before t[end] (end itself when there is none). */
static inline Py_ssize_t word_start(const Text *t, Py_ssize_t end)
{
    while (end > 0 && is_word(at(t, end - 1)))
        end--;
    return end;
}

static inline Py_ssize_t end_of_line(const Text *t, Py_ssize_t i)
{
    while (i < t->n && at(t, i) != '\n')
        i++;
    return i;
}

static inline Py_ssize_t skip_blanks(const Text *t, Py_ssize_t i)
{
    Py_UCS4 c;
    while (i < t->n && ((c = at(t, i)) == ' ' || c == '\t'))
        i++;
    return i;
}

/* STRING: "[^"\n]*(?:(?:""|\n[ \t]*(?:(?://[^\n]*)?\n[ \t]*)*\|)[^"\n]*)*"?  from t[i] == '"'.
 * Everything after the starred group is optional, so the greedy path is the match. */
static Py_ssize_t match_string(const Text *t, Py_ssize_t i)
{
    Py_ssize_t j = i + 1, n = t->n;
    for (;;) {
        Py_UCS4 c = 0;
        while (j < n && (c = at(t, j)) != '"' && c != '\n')
            j++;
        if (j >= n)
            return j;
        if (c == '"') {
            if (j + 1 < n && at(t, j + 1) == '"') {
                j += 2;
                continue;
            }
            return j + 1; /* the closing quote */
        }
        /* A newline: the literal goes on when, past blanks, blank lines and // lines, a "|" follows. */
        Py_ssize_t p = skip_blanks(t, j + 1);
        for (;;) {
            if (p + 1 < n && at(t, p) == '/' && at(t, p + 1) == '/') {
                Py_ssize_t q = end_of_line(t, p);
                if (q >= n)
                    break;
                p = skip_blanks(t, q + 1);
            }
            else if (p < n && at(t, p) == '\n') {
                p = skip_blanks(t, p + 1);
            }
            else
                break;
        }
        if (p < n && at(t, p) == '|') {
            j = p + 1;
            continue;
        }
        return j; /* left open at the end of the line */
    }
}

/* ANNOTATION: &[^\W\d]\w*(?:[ \t]*\([^)\n]*\))?  from t[i] == '&'; -1 when it does not match. */
static Py_ssize_t match_annotation(const Text *t, Py_ssize_t i)
{
    Py_ssize_t n = t->n, j = i + 1;
    if (j >= n || !is_word_start(at(t, j)))
        return -1;
    j = word_end(t, j + 1, n);
    Py_ssize_t k = skip_blanks(t, j);
    if (k < n && at(t, k) == '(') {
        Py_ssize_t m = k + 1;
        Py_UCS4 c = 0;
        while (m < n && (c = at(t, m)) != ')' && c != '\n')
            m++;
        if (m < n && c == ')')
            return m + 1;
    }
    return j;
}

/* A growable UCS4 buffer for the view being written. */
typedef struct {
    Py_UCS4 *data;
    Py_ssize_t size, capacity;
} Out;

static int out_init(Out *o, Py_ssize_t capacity)
{
    o->size = 0;
    o->capacity = capacity > 16 ? capacity : 16;
    o->data = PyMem_Malloc(sizeof(Py_UCS4) * o->capacity);
    if (o->data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static int out_reserve(Out *o, Py_ssize_t extra)
{
    if (o->size + extra <= o->capacity)
        return 0;
    Py_ssize_t capacity = o->capacity * 2;
    if (capacity < o->size + extra)
        capacity = o->size + extra;
    Py_UCS4 *data = PyMem_Realloc(o->data, sizeof(Py_UCS4) * capacity);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    o->data = data;
    o->capacity = capacity;
    return 0;
}

static inline void out_put(Out *o, Py_UCS4 c) { o->data[o->size++] = c; }

static PyObject *out_finish(Out *o)
{
    PyObject *s = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, o->data, o->size);
    PyMem_Free(o->data);
    o->data = NULL;
    return s;
}

static int append_pair(PyObject *list, PyObject *first, PyObject *second)
{
    /* Steals both references. */
    if (first == NULL || second == NULL) {
        Py_XDECREF(first);
        Py_XDECREF(second);
        return -1;
    }
    PyObject *pair = PyTuple_Pack(2, first, second);
    Py_DECREF(first);
    Py_DECREF(second);
    if (pair == NULL)
        return -1;
    int failed = PyList_Append(list, pair);
    Py_DECREF(pair);
    return failed;
}

static int text_of(PyObject *s, Text *t)
{
    if (!PyUnicode_Check(s)) {
        PyErr_SetString(PyExc_TypeError, "expected str");
        return -1;
    }
    if (PyUnicode_READY(s) < 0)
        return -1;
    t->kind = PyUnicode_KIND(s);
    t->data = PyUnicode_DATA(s);
    t->n = PyUnicode_GET_LENGTH(s);
    return 0;
}

PyDoc_STRVAR(rules_view_doc,
"rules_view(scan, text) -> (code, comments, literals)\n\n"
"The rules' code view (see onec_analysis.rules.source._code_view): *scan* (the text, or its\n"
"character-wise lower-case) with // comments and preprocessor lines removed up to the line end,\n"
"annotations blanked and the inside of string literals blanked (quotes and newlines kept);\n"
"comments as (offset, comment text from *text*), literals and annotations as (start, end).");

static PyObject *rules_view(PyObject *self, PyObject *args)
{
    PyObject *scan_obj, *text_obj;
    if (!PyArg_ParseTuple(args, "UU:rules_view", &scan_obj, &text_obj))
        return NULL;
    Text t;
    if (text_of(scan_obj, &t) < 0)
        return NULL;
    if (PyUnicode_GET_LENGTH(text_obj) != t.n) {
        PyErr_SetString(PyExc_ValueError, "scan and text differ in length");
        return NULL;
    }
    PyObject *comments = PyList_New(0), *literals = PyList_New(0);
    Out o = {NULL, 0, 0};
    if (comments == NULL || literals == NULL || out_init(&o, t.n) < 0)
        goto fail;
    Py_ssize_t i = 0, n = t.n;
    while (i < n) {
        Py_UCS4 c = at(&t, i);
        Py_ssize_t annotation_end;
        if (c == '/' && i + 1 < n && at(&t, i + 1) == '/') {
            Py_ssize_t end = end_of_line(&t, i);
            if (append_pair(comments, PyLong_FromSsize_t(i), PyUnicode_Substring(text_obj, i, end)) < 0)
                goto fail;
            i = end;
        }
        else if (c == '#') {
            i = end_of_line(&t, i);
        }
        else if (c == '"') {
            Py_ssize_t end = match_string(&t, i);
            if (append_pair(literals, PyLong_FromSsize_t(i), PyLong_FromSsize_t(end)) < 0)
                goto fail;
            int closed = end - i > 1 && at(&t, end - 1) == '"';
            out_put(&o, '"');
            for (Py_ssize_t k = i + 1; k < end - closed; k++)
                out_put(&o, at(&t, k) == '\n' ? '\n' : ' ');
            if (closed)
                out_put(&o, '"');
            i = end;
        }
        else if (c == '&' && (annotation_end = match_annotation(&t, i)) >= 0) {
            if (append_pair(literals, PyLong_FromSsize_t(i), PyLong_FromSsize_t(annotation_end)) < 0)
                goto fail;
            for (; i < annotation_end; i++)
                out_put(&o, ' ');
        }
        else { /* kept as it is (also a "&" that starts no annotation) */
            out_put(&o, c);
            i++;
        }
    }
    PyObject *code = out_finish(&o);
    if (code == NULL)
        goto fail;
    return Py_BuildValue("(NNN)", code, comments, literals);
fail:
    PyMem_Free(o.data);
    Py_XDECREF(comments);
    Py_XDECREF(literals);
    return NULL;
}

/* _COMMENT_LINE.sub("\n", "\n" + text)[1:] in place: every line whose first non-blank is // emptied.
 * Returns the new length. */
static Py_ssize_t drop_comment_lines(Py_UCS4 *s, Py_ssize_t n)
{
    Py_ssize_t i = 0, w = 0;
    while (i < n) {
        Py_ssize_t first = i, end;
        while (first < n && (s[first] == ' ' || s[first] == '\t'))
            first++;
        for (end = first; end < n && s[end] != '\n'; end++)
            ;
        if (first + 1 < n && s[first] == '/' && s[first + 1] == '/')
            i = end; /* the line's blanks and comment go */
        if (w != i)
            memmove(s + w, s + i, sizeof(Py_UCS4) * (end - i));
        w += end - i;
        i = end;
        if (i < n) {
            s[w++] = '\n';
            i++;
        }
    }
    return w;
}

static PyObject *stripped_instruction(const Py_UCS4 *s, Py_ssize_t start, Py_ssize_t end)
{
    /* value.split("//", 1)[0].strip() */
    for (Py_ssize_t k = start; k + 1 < end; k++)
        if (s[k] == '/' && s[k + 1] == '/') {
            end = k;
            break;
        }
    while (start < end && Py_UNICODE_ISSPACE(s[start]))
        start++;
    while (end > start && Py_UNICODE_ISSPACE(s[end - 1]))
        end--;
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, s + start, end - start);
}

PyDoc_STRVAR(lexer_view_doc,
"lexer_view(text, literal) -> (code, strings, preprocessor, annotations)\n\n"
"The parser's code view (see onec_analysis.bsl.lexer.code_view): whole-line comments emptied,\n"
"comments, preprocessor lines and annotations removed, literal i written as \"i\" plus its\n"
"newlines; strings as literal(text, line), the others as (line, text).");

static PyObject *lexer_view(PyObject *self, PyObject *args)
{
    PyObject *text_obj, *factory;
    if (!PyArg_ParseTuple(args, "UO:lexer_view", &text_obj, &factory))
        return NULL;
    Out stripped = {NULL, 0, 0}, o = {NULL, 0, 0};
    PyObject *strings = PyList_New(0), *preprocessor = PyList_New(0), *annotations = PyList_New(0);
    if (strings == NULL || preprocessor == NULL || annotations == NULL)
        goto fail;
    stripped.data = PyUnicode_AsUCS4Copy(text_obj);
    if (stripped.data == NULL)
        goto fail;
    stripped.size = drop_comment_lines(stripped.data, PyUnicode_GET_LENGTH(text_obj));
    if (out_init(&o, stripped.size + 16) < 0)
        goto fail;
    Text t = {PyUnicode_4BYTE_KIND, stripped.data, stripped.size};
    const Py_UCS4 *s = stripped.data;
    Py_ssize_t i = 0, n = t.n, line = 1, counted = 0; /* line of offset `counted` */
    char digits[32];
    while (i < n) {
        Py_UCS4 c = s[i];
        Py_ssize_t end = -1;
        if (c == '/' && i + 1 < n && s[i + 1] == '/') {
            i = end_of_line(&t, i);
            continue;
        }
        if (c == '"')
            end = match_string(&t, i);
        else if (c == '#')
            end = end_of_line(&t, i);
        else if (c == '&')
            end = match_annotation(&t, i);
        if (end < 0) { /* kept as it is (also a "&" that starts no annotation) */
            if (out_reserve(&o, 1) < 0)
                goto fail;
            out_put(&o, c);
            i++;
            continue;
        }
        for (; counted < i; counted++)
            line += s[counted] == '\n';
        if (c == '"') {
            Py_ssize_t newlines = 0;
            for (Py_ssize_t k = i; k < end; k++)
                newlines += s[k] == '\n';
            PyObject *value = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, s + i, end - i);
            if (value == NULL)
                goto fail;
            PyObject *literal = PyObject_CallFunction(factory, "Nn", value, line);
            if (literal == NULL)
                goto fail;
            int failed = PyList_Append(strings, literal);
            Py_DECREF(literal);
            if (failed)
                goto fail;
            int size = snprintf(digits, sizeof digits, "%zd", PyList_GET_SIZE(strings) - 1);
            if (out_reserve(&o, size + newlines + 2) < 0)
                goto fail;
            out_put(&o, '"');
            for (int k = 0; k < size; k++)
                out_put(&o, (Py_UCS4)digits[k]);
            for (Py_ssize_t k = 0; k < newlines; k++)
                out_put(&o, '\n');
            out_put(&o, '"');
        }
        else if (c == '#') {
            if (append_pair(preprocessor, PyLong_FromSsize_t(line), stripped_instruction(s, i, end)) < 0)
                goto fail;
        }
        else {
            PyObject *value = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, s + i, end - i);
            if (append_pair(annotations, PyLong_FromSsize_t(line), value) < 0)
                goto fail;
        }
        i = end;
    }
    PyMem_Free(stripped.data);
    stripped.data = NULL;
    PyObject *code = out_finish(&o);
    if (code == NULL)
        goto fail;
    return Py_BuildValue("(NNNN)", code, strings, preprocessor, annotations);
fail:
    PyMem_Free(stripped.data);
    PyMem_Free(o.data);
    Py_XDECREF(strings);
    Py_XDECREF(preprocessor);
    Py_XDECREF(annotations);
    return NULL;
}

/* [a-zа-яё_] and [a-zа-яё_0-9]: the rules' _IDENTIFIER over lower-cased code. */
static inline int is_identifier_start(Py_UCS4 c)
{
    return (c >= 'a' && c <= 'z') || c == '_' || (c >= 0x430 && c <= 0x44F) || c == 0x451;
}

static inline int is_identifier_part(Py_UCS4 c) { return is_identifier_start(c) || (c >= '0' && c <= '9'); }

PyDoc_STRVAR(identifier_counts_doc,
"identifier_counts(code) -> dict\n\n"
"How many times each word of [a-zа-яё_][a-zа-яё_0-9]* occurs in *code*: what\n"
"Counter(re.findall(that pattern, code)) gives, as a plain dict (in first-occurrence order).");

/* One distinct word: where it first occurs in the code, and how often it occurs. */
typedef struct {
    Py_ssize_t start, len;
    long count;
} Word;

/* The words are counted in a table of their own (open addressing over the code points, compared
 * in place) and become str and int objects once each at the end: a str per occurrence and a dict
 * update per occurrence cost about three times as much. */
static PyObject *identifier_counts(PyObject *self, PyObject *arg)
{
    Text t;
    if (text_of(arg, &t) < 0)
        return NULL;
    const char *data = (const char *)t.data;
    Py_ssize_t mask = 255, used = 0, capacity = 128;
    Py_ssize_t *slots = PyMem_Malloc((mask + 1) * sizeof(Py_ssize_t)); /* index into words, or -1 */
    Word *words = PyMem_Malloc(capacity * sizeof(Word));
    PyObject *counts = NULL;
    if (slots == NULL || words == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t s = 0; s <= mask; s++)
        slots[s] = -1;
    Py_ssize_t i = 0, n = t.n;
    while (i < n) {
        Py_UCS4 c = at(&t, i);
        if (!is_identifier_start(c)) {
            i++;
            continue;
        }
        size_t hash = 2166136261u ^ c;
        Py_ssize_t j = i + 1;
        while (j < n && is_identifier_part(c = at(&t, j))) {
            hash = (hash ^ c) * 16777619u;
            j++;
        }
        Py_ssize_t len = j - i, s = (Py_ssize_t)(hash & (size_t)mask);
        while (slots[s] >= 0) {
            Word *w = &words[slots[s]];
            if (w->len == len && memcmp(data + w->start * t.kind, data + i * t.kind, len * t.kind) == 0)
                break;
            s = (s + 1) & mask;
        }
        if (slots[s] >= 0) {
            words[slots[s]].count++;
            i = j;
            continue;
        }
        if (used == capacity) {
            capacity *= 2;
            Word *grown = PyMem_Realloc(words, capacity * sizeof(Word));
            if (grown == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            words = grown;
        }
        words[used] = (Word){i, len, 1};
        slots[s] = used++;
        if (2 * used > mask) { /* keep the table at most half full: rehash every word */
            Py_ssize_t bigger = 2 * (mask + 1);
            Py_ssize_t *rehashed = PyMem_Malloc(bigger * sizeof(Py_ssize_t));
            if (rehashed == NULL) {
                PyErr_NoMemory();
                goto done;
            }
            PyMem_Free(slots);
            slots = rehashed;
            mask = bigger - 1;
            for (Py_ssize_t s2 = 0; s2 <= mask; s2++)
                slots[s2] = -1;
            for (Py_ssize_t k = 0; k < used; k++) {
                size_t h = 2166136261u ^ at(&t, words[k].start);
                for (Py_ssize_t p = words[k].start + 1; p < words[k].start + words[k].len; p++)
                    h = (h ^ at(&t, p)) * 16777619u;
                Py_ssize_t s2 = (Py_ssize_t)(h & (size_t)mask);
                while (slots[s2] >= 0)
                    s2 = (s2 + 1) & mask;
                slots[s2] = k;
            }
        }
        i = j;
    }
    counts = PyDict_New();
    if (counts == NULL)
        goto done;
    for (Py_ssize_t k = 0; k < used; k++) {
        PyObject *word = PyUnicode_Substring(arg, words[k].start, words[k].start + words[k].len);
        PyObject *value = word == NULL ? NULL : PyLong_FromLong(words[k].count);
        int failed = value == NULL || PyDict_SetItem(counts, word, value) < 0;
        Py_XDECREF(word);
        Py_XDECREF(value);
        if (failed) {
            Py_CLEAR(counts);
            break;
        }
    }
done:
    PyMem_Free(slots);
    PyMem_Free(words);
    return counts;
}

/* --- complexity.method_complexity ------------------------------------------------------------ */

enum { IF, END_IF, LOOP, END_LOOP, ELSIF, ELSE, TRY, EXCEPT, END_TRY, GOTO, AND, OR, TERNARY };

typedef struct {
    const Py_UCS4 *word;
    int kind;
    Py_ssize_t length; /* set by measure() at import */
} Keyword;

static Keyword KEYWORDS[] = {
    {U"если", IF}, {U"if", IF}, {U"иначеесли", ELSIF}, {U"elsif", ELSIF}, {U"иначе", ELSE},
    {U"else", ELSE}, {U"конецесли", END_IF}, {U"endif", END_IF}, {U"для", LOOP}, {U"for", LOOP},
    {U"пока", LOOP}, {U"while", LOOP}, {U"конеццикла", END_LOOP}, {U"enddo", END_LOOP},
    {U"попытка", TRY}, {U"try", TRY}, {U"исключение", EXCEPT}, {U"except", EXCEPT},
    {U"конецпопытки", END_TRY}, {U"endtry", END_TRY}, {U"перейти", GOTO}, {U"goto", GOTO},
    {U"и", AND}, {U"and", AND}, {U"или", OR}, {U"or", OR}, {NULL, -1, 0},
};
static Keyword EXPRESSION_ENDS[] = {{U"тогда", 1}, {U"then", 1}, {U"цикл", 1}, {U"do", 1}, {NULL, -1, 0}};
/* Words after which "(" opens a parenthesised group, not a call's arguments. */
static Keyword NOT_CALLERS[] = {
    {U"и", 1}, {U"или", 1}, {U"не", 1}, {U"and", 1}, {U"or", 1}, {U"not", 1}, {U"если", 1},
    {U"иначеесли", 1}, {U"пока", 1}, {U"тогда", 1}, {U"цикл", 1}, {U"возврат", 1}, {U"return", 1},
    {U"if", 1}, {U"elsif", 1}, {U"while", 1}, {U"then", 1}, {U"do", 1}, {NULL, -1, 0},
};
static Keyword NOTS[] = {{U"не", 1}, {U"not", 1}, {NULL, -1, 0}};
static Keyword BOOLEANS[] = {{U"и", AND}, {U"and", AND}, {U"или", OR}, {U"or", OR}, {NULL, -1, 0}};

/* The longest word of any table, set by measure(): a longer word is in none of them. */
static Py_ssize_t longest_word = 0;

static void measure(Keyword *table)
{
    for (; table->word != NULL; table++) {
        for (table->length = 0; table->word[table->length]; table->length++)
            ;
        if (table->length > longest_word)
            longest_word = table->length;
    }
}

/* The kind of the word t[i:j] in *table*, or -1. */
static int lookup(const Text *t, Py_ssize_t i, Py_ssize_t j, const Keyword *table)
{
    Py_ssize_t length = j - i;
    if (length > longest_word)
        return -1;
    Py_UCS4 first = at(t, i);
    for (; table->word != NULL; table++) {
        if (table->length != length || table->word[0] != first)
            continue;
        const Py_UCS4 *w = table->word;
        Py_ssize_t k = i;
        while (k < j && *w && at(t, k) == *w) {
            k++;
            w++;
        }
        if (k == j && *w == 0)
            return table->kind;
    }
    return -1;
}

/* _TERNARY = ?\s*\(  at t[i] == '?': the match end, or -1. */
static inline Py_ssize_t match_ternary(const Text *t, Py_ssize_t i, Py_ssize_t end)
{
    Py_ssize_t k = i + 1;
    while (k < end && Py_UNICODE_ISSPACE(at(t, k)))
        k++;
    return k < end && at(t, k) == '(' ? k + 1 : -1;
}

/* _EXPRESSION_END.search(low, p, end): ";" or a whole word тогда/then/цикл/do; *end* when none.
 * t[p] starts a word (a boolean operator), so a word boundary holds there. */
static Py_ssize_t expression_end(const Text *t, Py_ssize_t p, Py_ssize_t end)
{
    Py_ssize_t i = p;
    while (i < end) {
        Py_UCS4 c = at(t, i);
        if (c == ';')
            return i;
        if (is_word(c)) {
            Py_ssize_t j = word_end(t, i, end);
            if (lookup(t, i, j, EXPRESSION_ENDS) > 0) /* a whole word: the scan goes word by word */
                return i;
            i = j;
        }
        else
            i++;
    }
    return end;
}

/* A growable stack of integers. */
typedef struct {
    Py_ssize_t *data;
    Py_ssize_t size, capacity;
    Py_ssize_t inline_data[32];
} Stack;

static void stack_init(Stack *s)
{
    s->data = s->inline_data;
    s->size = 0;
    s->capacity = 32;
}

static int stack_push(Stack *s, Py_ssize_t value)
{
    if (s->size == s->capacity) {
        Py_ssize_t capacity = s->capacity * 2;
        Py_ssize_t *data = PyMem_Malloc(sizeof(Py_ssize_t) * capacity);
        if (data == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(data, s->data, sizeof(Py_ssize_t) * s->size);
        if (s->data != s->inline_data)
            PyMem_Free(s->data);
        s->data = data;
        s->capacity = capacity;
    }
    s->data[s->size++] = value;
    return 0;
}

static void stack_free(Stack *s)
{
    if (s->data != s->inline_data)
        PyMem_Free(s->data);
}

enum { FRAME_CALL, FRAME_NOT, FRAME_GROUP };

/* complexity._boolean_sequences over t[start:end]; -1 on a memory error. */
static Py_ssize_t boolean_sequences(const Text *t, Py_ssize_t start, Py_ssize_t end)
{
    Py_ssize_t total = 0, last = -1, i = start;
    Py_ssize_t prev_start = 0, prev_end = 0; /* the previous token, empty at first */
    Stack frames; /* kind * 16 + saved + 1 */
    stack_init(&frames);
    while (i < end) {
        Py_UCS4 c = at(t, i);
        Py_ssize_t token_end;
        if (is_word(c)) {
            token_end = word_end(t, i, end);
            int op = lookup(t, i, token_end, BOOLEANS);
            if (op != -1 && op != last) {
                total++;
                last = op;
            }
        }
        else if (c == '?') {
            if ((token_end = match_ternary(t, i, end)) < 0) {
                i++;
                continue;
            }
        }
        else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',' || c == '=' || c == '<' ||
                 c == '>' || c == '+' || c == '-' || c == '*' || c == '/' || c == '%') {
            token_end = i + 1;
        }
        else {
            i++;
            continue;
        }
        if (c == '(' || c == '[' || c == '?') {
            int kind;
            Py_UCS4 first = prev_end > prev_start ? at(t, prev_start) : 0;
            int word_before = prev_end > prev_start && (Py_UNICODE_ISALNUM(first) || first == '_');
            if (c == '?' || c == '[' ||
                (word_before && lookup(t, prev_start, prev_end, NOT_CALLERS) < 0))
                kind = FRAME_CALL;
            else if (prev_end > prev_start && lookup(t, prev_start, prev_end, NOTS) > 0)
                kind = FRAME_NOT;
            else
                kind = FRAME_GROUP;
            if (stack_push(&frames, kind * 16 + (kind == FRAME_CALL ? last : -1) + 1) < 0) {
                stack_free(&frames);
                return -1;
            }
            if (kind != FRAME_GROUP)
                last = -1;
        }
        else if (c == ')' || c == ']') {
            if (frames.size) {
                Py_ssize_t frame = frames.data[--frames.size];
                if (frame / 16 == FRAME_CALL)
                    last = frame % 16 - 1;
                else if (frame / 16 == FRAME_NOT)
                    last = -1;
            }
        }
        else if (c == ',' && frames.size && frames.data[frames.size - 1] / 16 == FRAME_CALL)
            last = -1;
        prev_start = i;
        prev_end = token_end;
        i = token_end;
    }
    stack_free(&frames);
    return total;
}

/* complexity._ternary_end */
static Py_ssize_t ternary_end(const Text *t, Py_ssize_t pos, Py_ssize_t limit)
{
    Py_ssize_t depth = 1;
    for (Py_ssize_t i = pos; i < limit; i++) {
        Py_UCS4 c = at(t, i);
        if (c == '(')
            depth++;
        else if (c == ')' && --depth == 0)
            return i + 1;
    }
    return limit;
}

PyDoc_STRVAR(method_complexity_doc,
"method_complexity(low, start, end, recursive_calls) -> (cyclomatic, cognitive)\n\n"
"complexity.method_complexity in one pass over low[start:end] (see that module for the rules).");

static PyObject *method_complexity(PyObject *self, PyObject *args)
{
    PyObject *low;
    Py_ssize_t start, end, recursive;
    if (!PyArg_ParseTuple(args, "Unnn:method_complexity", &low, &start, &end, &recursive))
        return NULL;
    Text t;
    if (text_of(low, &t) < 0)
        return NULL;
    if (start < 0)
        start = 0;
    if (end > t.n)
        end = t.n;
    Py_ssize_t cyclomatic = 1 + recursive, cognitive = recursive, nesting = 0;
    Py_ssize_t expr_end = -1, last_boundary = start;
    Stack blocks, ternary_ends;
    stack_init(&blocks);
    stack_init(&ternary_ends);
    Py_ssize_t i = start;
    while (i < end) {
        Py_UCS4 c = at(&t, i);
        Py_ssize_t p = i, m_end;
        int kind;
        if (is_word(c)) {
            m_end = word_end(&t, i, end);
            i = m_end;
            if (p > 0 && is_word(at(&t, p - 1)))
                continue; /* the tail of a word cut at *start*: no word boundary */
            if ((kind = lookup(&t, p, m_end, KEYWORDS)) < 0)
                continue;
        }
        else if (c == '?' && (m_end = match_ternary(&t, i, end)) >= 0) {
            kind = TERNARY;
            i = m_end;
        }
        else {
            i++;
            continue;
        }
        if (p > 0 && at(&t, p - 1) == '.')
            continue; /* a property that happens to be spelled like a keyword */
        while (ternary_ends.size && p >= ternary_ends.data[ternary_ends.size - 1]) {
            ternary_ends.size--;
            nesting--;
        }
        if (kind == AND || kind == OR) {
            cyclomatic++;
            if (p >= expr_end) {
                Py_ssize_t semicolon = 0;
                for (Py_ssize_t k = p - 1; k >= start; k--)
                    if (at(&t, k) == ';') {
                        semicolon = k + 1;
                        break;
                    }
                Py_ssize_t first = semicolon;
                if (last_boundary > first)
                    first = last_boundary;
                if (expr_end > first)
                    first = expr_end;
                expr_end = expression_end(&t, p, end);
                Py_ssize_t sequences = boolean_sequences(&t, first, expr_end);
                if (sequences < 0)
                    goto fail;
                cognitive += sequences;
            }
            continue;
        }
        last_boundary = m_end;
        if (kind == IF || kind == LOOP) {
            cyclomatic++;
            cognitive += 1 + nesting;
            nesting++;
            if (stack_push(&blocks, kind) < 0)
                goto fail;
        }
        else if (kind == ELSIF || kind == ELSE) {
            cyclomatic++;
            cognitive++;
        }
        else if (kind == END_IF || kind == END_LOOP) {
            if (blocks.size && blocks.data[blocks.size - 1] == kind - 1) {
                blocks.size--;
                nesting--;
            }
        }
        else if (kind == TRY) {
            if (stack_push(&blocks, TRY) < 0)
                goto fail;
        }
        else if (kind == EXCEPT) {
            cyclomatic++;
            cognitive += 1 + nesting;
            if (blocks.size && blocks.data[blocks.size - 1] == TRY) {
                blocks.data[blocks.size - 1] = EXCEPT;
                nesting++;
            }
        }
        else if (kind == END_TRY) {
            if (blocks.size) {
                Py_ssize_t top = blocks.data[blocks.size - 1];
                if (top == TRY || top == EXCEPT) {
                    blocks.size--;
                    if (top == EXCEPT)
                        nesting--;
                }
            }
        }
        else if (kind == GOTO) {
            cyclomatic++;
            cognitive++;
        }
        else { /* ternary */
            cyclomatic++;
            cognitive += 1 + nesting;
            nesting++;
            if (stack_push(&ternary_ends, ternary_end(&t, m_end, end)) < 0)
                goto fail;
        }
    }
    stack_free(&blocks);
    stack_free(&ternary_ends);
    return Py_BuildValue("(nn)", cyclomatic, cognitive);
fail:
    stack_free(&blocks);
    stack_free(&ternary_ends);
    return NULL;
}

/* Append *item* to *list* and drop the caller's reference (also when it is NULL: an error). */
static int append_new(PyObject *list, PyObject *item)
{
    if (item == NULL)
        return -1;
    int failed = PyList_Append(list, item);
    Py_DECREF(item);
    return failed;
}

/* --- declarations, calls and query tables: where the parser's regular expressions match ---- */

static Keyword ASYNC_WORDS[] = {{U"асинх", 1}, {U"async", 1}, {NULL, -1, 0}};
static Keyword DECLARATION_WORDS[] = {
    {U"процедура", 0}, {U"procedure", 0}, {U"функция", 1}, {U"function", 1}, {NULL, -1, 0},
};
static Keyword END_WORDS[] = {
    {U"конецпроцедуры", 1}, {U"конецфункции", 1}, {U"endprocedure", 1}, {U"endfunction", 1}, {NULL, -1, 0},
};

PyDoc_STRVAR(declaration_sites_doc,
"declaration_sites(low) -> (headers, ends)\n\n"
"Over the lower-cased code view *low*: the method headers, as declarations._DECL finds them on\n"
"\"\\n\" + low, each (keyword start, name start, name end, header end, is_async, is_function);\n"
"and the offsets of the end keywords (_END) that no word character precedes.");

static PyObject *declaration_sites(PyObject *self, PyObject *arg)
{
    Text t;
    if (text_of(arg, &t) < 0)
        return NULL;
    Py_ssize_t n = t.n;
    PyObject *headers = PyList_New(0), *ends = PyList_New(0);
    if (headers == NULL || ends == NULL)
        goto fail;
    /* _DECL: \n[ \t]*+(?:(асинх|async)[ \t]+)?(процедура|функция|procedure|function)[ \t]+
     * ([^\W\d]\w*)[ \t]*\(  at every line start. A word the pattern names is followed by a blank,
     * so it is the whole word run there. */
    for (Py_ssize_t line = 0; line <= n;) {
        Py_ssize_t i = skip_blanks(&t, line), j = word_end(&t, i, n);
        int is_async = 0, kind = -1;
        if (j > i && lookup(&t, i, j, ASYNC_WORDS) >= 0) {
            Py_ssize_t k = skip_blanks(&t, j);
            if (k > j) {
                Py_ssize_t e = word_end(&t, k, n);
                if (e > k && (kind = lookup(&t, k, e, DECLARATION_WORDS)) >= 0) {
                    is_async = 1;
                    i = k;
                    j = e;
                }
            }
        }
        else if (j > i)
            kind = lookup(&t, i, j, DECLARATION_WORDS);
        if (kind >= 0) {
            Py_ssize_t name = skip_blanks(&t, j);
            if (name > j && name < n && is_word_start(at(&t, name))) {
                Py_ssize_t name_end = word_end(&t, name + 1, n), paren = skip_blanks(&t, name_end);
                if (paren < n && at(&t, paren) == '(') {
                    PyObject *item = Py_BuildValue("(nnnnOO)", i, name, name_end, paren + 1,
                                                   is_async ? Py_True : Py_False,
                                                   kind ? Py_True : Py_False);
                    if (append_new(headers, item) < 0)
                        goto fail;
                }
            }
        }
        while (line < n && at(&t, line) != '\n')
            line++;
        line++;
    }
    /* _END with no word character before it: a whole word run that is one of the end keywords
     * (they all start with "к" or "e"). */
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = at(&t, i);
        if ((c != 0x43A && c != 'e') || (i && is_word(at(&t, i - 1))))
            continue;
        Py_ssize_t j = word_end(&t, i + 1, n);
        if (lookup(&t, i, j, END_WORDS) >= 0 && append_new(ends, PyLong_FromSsize_t(i)) < 0)
            goto fail;
        i = j - 1;
    }
    PyObject *result = PyTuple_Pack(2, headers, ends);
    Py_DECREF(headers);
    Py_DECREF(ends);
    return result;
fail:
    Py_XDECREF(headers);
    Py_XDECREF(ends);
    return NULL;
}

PyDoc_STRVAR(call_sites_doc,
"call_sites(low) -> list\n\n"
"calls.call_sites: every qualifier.name( and name( of *low*, in text order, as (qualifier start,\n"
"qualifier end, name start, name end, offset after \"(\"), -1 for a missing qualifier.");

static inline Py_ssize_t skip_blanks_back(const Text *t, Py_ssize_t i)
{
    Py_UCS4 c;
    while (i >= 0 && ((c = at(t, i)) == ' ' || c == '\t'))
        i--;
    return i;
}

static PyObject *call_sites(PyObject *self, PyObject *arg)
{
    Text t;
    if (text_of(arg, &t) < 0)
        return NULL;
    PyObject *sites = PyList_New(0);
    if (sites == NULL)
        return NULL;
    /* _CALL_REVERSED read forwards: "(", blanks back, the whole word run before them (its first
     * character no digit, else no site), then optionally blanks, ".", blanks and another such run. */
    for (Py_ssize_t i = 0; i < t.n; i++) {
        if (at(&t, i) != '(')
            continue;
        Py_ssize_t name_end = skip_blanks_back(&t, i - 1) + 1, name = word_start(&t, name_end);
        if (name == name_end || Py_UNICODE_ISDECIMAL(at(&t, name)))
            continue;
        Py_ssize_t q_start = -1, q_end = -1, m = skip_blanks_back(&t, name - 1);
        if (m >= 0 && at(&t, m) == '.') {
            Py_ssize_t e = skip_blanks_back(&t, m - 1) + 1, s = word_start(&t, e);
            if (s < e && !Py_UNICODE_ISDECIMAL(at(&t, s))) {
                q_start = s;
                q_end = e;
            }
        }
        if (append_new(sites, Py_BuildValue("(nnnnn)", q_start, q_end, name, name_end, i + 1)) < 0) {
            Py_DECREF(sites);
            return NULL;
        }
    }
    return sites;
}

/* queries.TABLE_TYPES' words; a letter matches itself or its one upper-case form. */
static Keyword TABLE_WORDS[] = {
    {U"справочник", 1}, {U"catalog", 1}, {U"документ", 1}, {U"document", 1},
    {U"регистрсведений", 1}, {U"informationregister", 1}, {U"регистрнакопления", 1},
    {U"accumulationregister", 1}, {U"регистрбухгалтерии", 1}, {U"accountingregister", 1},
    {U"регистррасчета", 1}, {U"calculationregister", 1}, {U"планвидовхарактеристик", 1},
    {U"chartofcharacteristictypes", 1}, {U"плансчетов", 1}, {U"chartofaccounts", 1},
    {U"планвидоврасчета", 1}, {U"chartofcalculationtypes", 1}, {U"планобмена", 1},
    {U"exchangeplan", 1}, {U"бизнеспроцесс", 1}, {U"businessprocess", 1}, {U"задача", 1},
    {U"task", 1}, {U"перечисление", 1}, {U"enum", 1}, {U"константа", 1}, {U"constant", 1},
    {U"журналдокументов", 1}, {U"documentjournal", 1}, {U"последовательность", 1},
    {U"sequence", 1}, {U"критерийотбора", 1}, {U"filtercriterion", 1}, {NULL, -1, 0},
};

static int is_table_word(const Text *t, Py_ssize_t i, Py_ssize_t j)
{
    for (const Keyword *w = TABLE_WORDS; w->word != NULL; w++) {
        if (w->length != j - i)
            continue;
        Py_ssize_t k = 0;
        for (; k < w->length; k++) {
            Py_UCS4 c = at(t, i + k), lower = w->word[k];
            if (c != lower && c != Py_UNICODE_TOUPPER(lower))
                break;
        }
        if (k == w->length)
            return 1;
    }
    return 0;
}

PyDoc_STRVAR(table_sites_doc,
"table_sites(text) -> list\n\n"
"queries.table_sites: the matches of queries._TABLE in *text*, each (start, end of the type word,\n"
"end of the name, end of the match).");

static PyObject *table_sites(PyObject *self, PyObject *arg)
{
    Text t;
    if (text_of(arg, &t) < 0)
        return NULL;
    PyObject *sites = PyList_New(0);
    if (sites == NULL)
        return NULL;
    Py_ssize_t n = t.n;
    /* (?<![\w.&])(TYPE)\.([^\W\d]\w*)(?:\.([^\W\d]\w*))?  A type word is letters followed by ".",
     * so it is a whole word run; inside a run the look-behind fails. */
    for (Py_ssize_t i = 0; i < n;) {
        Py_UCS4 c = at(&t, i);
        if (!is_word(c)) {
            i++;
            continue;
        }
        Py_ssize_t j = word_end(&t, i + 1, n);
        Py_UCS4 before = i ? at(&t, i - 1) : 0;
        if (before != '.' && before != '&' && j + 1 < n && at(&t, j) == '.' &&
            is_word_start(at(&t, j + 1)) && is_table_word(&t, i, j)) {
            Py_ssize_t name_end = word_end(&t, j + 2, n), end = name_end;
            if (name_end + 1 < n && at(&t, name_end) == '.' && is_word_start(at(&t, name_end + 1)))
                end = word_end(&t, name_end + 2, n);
            if (append_new(sites, Py_BuildValue("(nnnn)", i, j, name_end, end)) < 0) {
                Py_DECREF(sites);
                return NULL;
            }
            i = end;
            continue;
        }
        i = j;
    }
    return sites;
}

PyDoc_STRVAR(code_lines_doc,
"code_lines(text, start, end) -> int\n\n"
"module.code_lines: how many times module._CODE_LINE matches text[start:end] (re's pos and endpos:\n"
"the look-ahead sees nothing past *end*).");

static PyObject *code_lines(PyObject *self, PyObject *args)
{
    PyObject *text_obj;
    Py_ssize_t start, end;
    Text t;
    if (!PyArg_ParseTuple(args, "Unn:code_lines", &text_obj, &start, &end))
        return NULL;
    if (text_of(text_obj, &t) < 0)
        return NULL;
    if (start < 0)
        start = 0;
    if (end > t.n)
        end = t.n;
    /* \n[ \t]*+(?:[^\s/]|/(?!/)): a newline, blanks and tabs (never given back), then a character
     * that is neither whitespace nor "/", or a "/" with no "/" after it. A match ends on its line,
     * so the next one is looked for from the next newline. */
    Py_ssize_t count = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        if (at(&t, i) != '\n')
            continue;
        Py_ssize_t j = i + 1;
        while (j < end && (at(&t, j) == ' ' || at(&t, j) == '\t'))
            j++;
        if (j >= end)
            break;
        Py_UCS4 c = at(&t, j);
        if (c == '/' ? !(j + 1 < end && at(&t, j + 1) == '/') : !Py_UNICODE_ISSPACE(c))
            count++;
        i = j - 1; /* a newline at j starts the next try (the loop's i++ lands on it) */
    }
    return PyLong_FromSsize_t(count);
}

PyDoc_STRVAR(doc_comment_doc,
"doc_comment(text, start) -> str | None\n\n"
"declarations.doc_comment_python: the block of `//` lines that ends on the line above the one\n"
"beginning at offset *start* of *text*, without the slashes, one space after them and trailing\n"
"blanks; None when that line is no comment.");

static PyObject *doc_comment(PyObject *self, PyObject *args)
{
    PyObject *text_obj;
    Py_ssize_t start;
    Text t;
    if (!PyArg_ParseTuple(args, "Un:doc_comment", &text_obj, &start))
        return NULL;
    if (text_of(text_obj, &t) < 0)
        return NULL;
    if (start > t.n + 1)
        start = t.n + 1;
    PyObject *block = PyList_New(0);
    if (block == NULL)
        return NULL;
    /* Lines end at "\n" (start - 1 is the newline ending the line above); read them upwards. */
    Py_ssize_t end = start - 1;
    while (end >= 0) {
        Py_ssize_t begin = end;
        while (begin > 0 && at(&t, begin - 1) != '\n')
            begin--;
        Py_ssize_t i = begin, stop = end < t.n ? end : t.n;
        while (i < stop && Py_UNICODE_ISSPACE(at(&t, i)))
            i++;
        if (!(i + 1 < stop && at(&t, i) == '/' && at(&t, i + 1) == '/'))
            break;
        while (i < stop && at(&t, i) == '/')
            i++;
        if (i < stop && at(&t, i) == ' ')
            i++;
        while (stop > i && Py_UNICODE_ISSPACE(at(&t, stop - 1)))
            stop--;
        PyObject *line = PyUnicode_Substring(text_obj, i, stop);
        if (line == NULL || PyList_Append(block, line) < 0) {
            Py_XDECREF(line);
            Py_DECREF(block);
            return NULL;
        }
        Py_DECREF(line);
        end = begin - 1;
    }
    if (PyList_GET_SIZE(block) == 0) {
        Py_DECREF(block);
        Py_RETURN_NONE;
    }
    if (PyList_Reverse(block) < 0) {
        Py_DECREF(block);
        return NULL;
    }
    PyObject *newline = PyUnicode_FromOrdinal('\n');
    PyObject *result = newline ? PyUnicode_Join(newline, block) : NULL;
    Py_XDECREF(newline);
    Py_DECREF(block);
    return result;
}

PyDoc_STRVAR(long_lines_doc,
"long_lines(text, limit, tab_width) -> list[tuple[int, int, int]]\n\n"
"rules.line_length.long_lines_python: (0-based line, width, 1-based column of its first non-blank)\n"
"of every line of *text* wider than *limit* with tabs expanded as str.expandtabs(tab_width) does\n"
"(a carriage return also sends the tab stops back to the line's start). Lines end at \"\\n\".");

static PyObject *long_lines(PyObject *self, PyObject *args)
{
    PyObject *text_obj;
    Py_ssize_t limit, tab;
    Text t;
    if (!PyArg_ParseTuple(args, "Unn:long_lines", &text_obj, &limit, &tab))
        return NULL;
    if (text_of(text_obj, &t) < 0)
        return NULL;
    PyObject *found = PyList_New(0);
    if (found == NULL)
        return NULL;
    Py_ssize_t line = 0, begin = 0, width = 0, column = 0;
    for (Py_ssize_t i = 0; i <= t.n; i++) {
        Py_UCS4 c = i < t.n ? at(&t, i) : '\n';
        if (c == '\n') {
            if (width > limit) {
                Py_ssize_t first = begin;
                while (first < i && Py_UNICODE_ISSPACE(at(&t, first)))
                    first++;
                PyObject *item = Py_BuildValue("(nnn)", line, width, first - begin + 1);
                if (item == NULL || PyList_Append(found, item) < 0) {
                    Py_XDECREF(item);
                    Py_DECREF(found);
                    return NULL;
                }
                Py_DECREF(item);
            }
            line++;
            begin = i + 1;
            width = column = 0;
        } else if (c == '\t') {
            if (tab > 0) {
                Py_ssize_t step = tab - column % tab;
                width += step;
                column += step;
            }
        } else {
            width++;
            column = c == '\r' ? 0 : column + 1;
        }
    }
    return found;
}

PyDoc_STRVAR(lower_doc,
"lower(text) -> str | None\n\n"
"text.lower(), one character for one, when no character of *text* needs str.lower's context or\n"
"becomes two (capital sigma, dotted capital I): None then, and lexer.lower calls str.lower.\n"
"Each character by its simple lower-case mapping, which for every other character is what\n"
"str.lower gives.");

/* The lower case of every character of the Basic Multilingual Plane, made when the module loads (the
 * simple mappings, which for all of them but the two lower() leaves to Python are str.lower's). A BMP
 * character's lower case is in the BMP. */
static Py_UCS2 *lower_bmp = NULL;

static int make_lower_bmp(void)
{
    lower_bmp = PyMem_Malloc(sizeof(Py_UCS2) * 0x10000);
    if (lower_bmp == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_UCS4 c = 0; c < 0x10000; c++) {
        Py_UCS4 low = Py_UNICODE_TOLOWER(c);
        lower_bmp[c] = low < 0x10000 ? (Py_UCS2)low : (Py_UCS2)c;
    }
    return 0;
}

static inline int leaves_to_python(Py_UCS4 c) { return c == 0x3A3 || c == 0x130; } /* Σ, İ */

static PyObject *lower(PyObject *self, PyObject *arg)
{
    Text t;
    if (text_of(arg, &t) < 0)
        return NULL;
    /* Written in the text's own width; PyUnicode_FromKindAndData narrows it where lower-casing took
     * away the widest characters (the Kelvin sign becomes "k"). */
    void *buffer = PyMem_Malloc(t.kind * (t.n ? t.n : 1));
    if (buffer == NULL)
        return PyErr_NoMemory();
    if (t.kind == PyUnicode_1BYTE_KIND) {
        const Py_UCS1 *in = t.data;
        Py_UCS1 *out = buffer;
        for (Py_ssize_t i = 0; i < t.n; i++)
            out[i] = (Py_UCS1)lower_bmp[in[i]]; /* Latin-1 lower-cases within Latin-1 */
    } else if (t.kind == PyUnicode_2BYTE_KIND) {
        const Py_UCS2 *in = t.data;
        Py_UCS2 *out = buffer;
        for (Py_ssize_t i = 0; i < t.n; i++) {
            if (leaves_to_python(in[i]))
                goto python;
            out[i] = lower_bmp[in[i]];
        }
    } else {
        const Py_UCS4 *in = t.data;
        Py_UCS4 *out = buffer;
        for (Py_ssize_t i = 0; i < t.n; i++) {
            if (leaves_to_python(in[i]))
                goto python;
            out[i] = in[i] < 0x10000 ? lower_bmp[in[i]] : Py_UNICODE_TOLOWER(in[i]);
        }
    }
    PyObject *result = PyUnicode_FromKindAndData(t.kind, buffer, t.n);
    PyMem_Free(buffer);
    return result;
python:
    PyMem_Free(buffer);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"lower", lower, METH_O, lower_doc},
    {"long_lines", long_lines, METH_VARARGS, long_lines_doc},
    {"doc_comment", doc_comment, METH_VARARGS, doc_comment_doc},
    {"code_lines", code_lines, METH_VARARGS, code_lines_doc},
    {"declaration_sites", declaration_sites, METH_O, declaration_sites_doc},
    {"call_sites", call_sites, METH_O, call_sites_doc},
    {"table_sites", table_sites, METH_O, table_sites_doc},
    {"method_complexity", method_complexity, METH_VARARGS, method_complexity_doc},
    {"identifier_counts", identifier_counts, METH_O, identifier_counts_doc},
    {"rules_view", rules_view, METH_VARARGS, rules_view_doc},
    {"lexer_view", lexer_view, METH_VARARGS, lexer_view_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "onec_analysis.bsl._scan",
    "The hottest passes of the BSL parser and rules in C (see the Python twins named in each doc).",
    -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__scan(void)
{
    measure(KEYWORDS);
    measure(EXPRESSION_ENDS);
    measure(NOT_CALLERS);
    measure(NOTS);
    measure(BOOLEANS);
    measure(ASYNC_WORDS);
    measure(DECLARATION_WORDS);
    measure(END_WORDS);
    measure(TABLE_WORDS);
    if (lower_bmp == NULL && make_lower_bmp() < 0)
        return NULL;
    return PyModule_Create(&module);
}
