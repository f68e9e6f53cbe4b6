/**
 * @file SocketHTTP.h
 * @brief Protocol-independent HTTP pieces (RFC 9110, RFC 3986): versions,
 *        methods, status codes, header collections, URIs, HTTP-dates,
 *        media types, Accept lists and content/transfer codings.
 *
 * Everything here is a pure function or works on caller-provided memory,
 * except the header collection and the arena-copying parsers, which take
 * their memory from an Arena_T and raise Arena_Failed when it runs out.
 * Untrusted input never raises: parsers and validators return result codes.
 *
 * The exceptions SocketHTTP_ParseError, SocketHTTP_InvalidURI and
 * SocketHTTP_InvalidHeader are defined for the layers above (client,
 * server) that prefer to turn a result code into an exception; nothing in
 * this header raises them.
 *
 * Thread-safety: all functions are reentrant. A header collection has one
 * owner at a time (no internal locking), like the arena it lives in.
 */
#ifndef SOCKETHTTP_INCLUDED
#define SOCKETHTTP_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "core/Arena.h"
#include "core/Except.h"

/* ===================================================================== */
/* Limits                                                                */
/* ===================================================================== */

/** Longest header field name SocketHTTP_header_name_valid() accepts. */
#define SOCKETHTTP_MAX_HEADER_NAME 256
/** Default limit for one header field value (used by the HTTP parsers). */
#define SOCKETHTTP_MAX_HEADER_VALUE (8 * 1024)
/** Default limit for a whole header section (used by the HTTP parsers). */
#define SOCKETHTTP_MAX_HEADER_SIZE (64 * 1024)
/** Default limit for the number of header fields of a message. */
#define SOCKETHTTP_MAX_HEADERS 100
/** Longest URI SocketHTTP_URI_parse() accepts (URI_PARSE_TOO_LONG above). */
#define SOCKETHTTP_MAX_URI_LEN (8 * 1024)
/** Buffer size for SocketHTTP_date_format(): 29 characters plus NUL. */
#define SOCKETHTTP_DATE_BUFSIZE 30

/* ===================================================================== */
/* Exceptions                                                            */
/* ===================================================================== */

/** Malformed HTTP message (for layers that raise on parse failures). */
extern SOCKET_API const Except_T SocketHTTP_ParseError;
/** Malformed URI (for layers that raise on URI failures). */
extern SOCKET_API const Except_T SocketHTTP_InvalidURI;
/** Invalid header name or value (for layers that raise on them). */
extern SOCKET_API const Except_T SocketHTTP_InvalidHeader;

/* ===================================================================== */
/* Versions                                                              */
/* ===================================================================== */

/** Protocol version, encoded as major * 10 + minor. */
typedef enum
{
  HTTP_VERSION_0_9 = 9,  /**< HTTP/0.9 */
  HTTP_VERSION_1_0 = 10, /**< HTTP/1.0 */
  HTTP_VERSION_1_1 = 11, /**< HTTP/1.1 */
  HTTP_VERSION_2 = 20,   /**< HTTP/2 */
  HTTP_VERSION_3 = 30    /**< HTTP/3 */
} SocketHTTP_Version;

/**
 * @brief Protocol name of @p version: "HTTP/0.9", "HTTP/1.0", "HTTP/1.1",
 *        "HTTP/2" or "HTTP/3"; "UNKNOWN" for any other value.
 * @return a static string (never NULL).
 */
extern SOCKET_API const char *SocketHTTP_version_string (SocketHTTP_Version version);

/**
 * @brief Parse a protocol version: "HTTP/0.9", "HTTP/1.0", "HTTP/1.1",
 *        "HTTP/2", "HTTP/2.0", "HTTP/3" or "HTTP/3.0" (exact, case-sensitive
 *        as RFC 9110 section 2.5 requires).
 * @return the version, or 0 (no enumerator) when @p str is not one of them.
 */
extern SOCKET_API SocketHTTP_Version SocketHTTP_version_parse (const char *str, size_t len);

/* ===================================================================== */
/* Methods (RFC 9110 section 9)                                          */
/* ===================================================================== */

/** Request method; any other token is HTTP_METHOD_UNKNOWN. */
typedef enum
{
  HTTP_METHOD_GET = 0,
  HTTP_METHOD_HEAD = 1,
  HTTP_METHOD_POST = 2,
  HTTP_METHOD_PUT = 3,
  HTTP_METHOD_DELETE = 4,
  HTTP_METHOD_CONNECT = 5,
  HTTP_METHOD_OPTIONS = 6,
  HTTP_METHOD_TRACE = 7,
  HTTP_METHOD_PATCH = 8, /**< RFC 5789 */
  HTTP_METHOD_UNKNOWN = -1
} SocketHTTP_Method;

/** Method semantics (RFC 9110 section 9.2, RFC 5789). */
typedef struct
{
  unsigned safe : 1;          /**< read-only (9.2.1) */
  unsigned idempotent : 1;    /**< repeatable (9.2.2) */
  unsigned cacheable : 1;     /**< responses may be cached (9.2.3) */
  unsigned has_body : 1;      /**< request content has defined semantics */
  unsigned response_body : 1; /**< a successful response carries content
                                   (0 for HEAD and CONNECT) */
} SocketHTTP_MethodProperties;

/**
 * @brief Canonical name of @p method ("GET", ...).
 * @return a static string, or NULL for HTTP_METHOD_UNKNOWN/out of range.
 */
extern SOCKET_API const char *SocketHTTP_method_name (SocketHTTP_Method method);

/**
 * @brief Map a method token to the enum. Methods are case-sensitive
 *        (RFC 9110 section 9.1): "get" is HTTP_METHOD_UNKNOWN.
 */
extern SOCKET_API SocketHTTP_Method SocketHTTP_method_parse (const char *str, size_t len);

/** @brief Semantics of @p method; all bits 0 except response_body for UNKNOWN. */
extern SOCKET_API SocketHTTP_MethodProperties SocketHTTP_method_properties (SocketHTTP_Method method);

/**
 * @brief 1 if @p str is a syntactically valid method (a non-empty token of
 *        at most 16 characters, SOCKETHTTP1_MAX_METHOD_LEN), else 0.
 */
extern SOCKET_API int SocketHTTP_method_valid (const char *str, size_t len);

/* ===================================================================== */
/* Status codes (RFC 9110 section 15)                                    */
/* ===================================================================== */

/** Registered status codes. */
typedef enum
{
  HTTP_STATUS_CONTINUE = 100,
  HTTP_STATUS_SWITCHING_PROTOCOLS = 101,
  HTTP_STATUS_PROCESSING = 102,
  HTTP_STATUS_EARLY_HINTS = 103,
  HTTP_STATUS_OK = 200,
  HTTP_STATUS_CREATED = 201,
  HTTP_STATUS_ACCEPTED = 202,
  HTTP_STATUS_NON_AUTHORITATIVE = 203,
  HTTP_STATUS_NO_CONTENT = 204,
  HTTP_STATUS_RESET_CONTENT = 205,
  HTTP_STATUS_PARTIAL_CONTENT = 206,
  HTTP_STATUS_MULTI_STATUS = 207,
  HTTP_STATUS_ALREADY_REPORTED = 208,
  HTTP_STATUS_IM_USED = 226,
  HTTP_STATUS_MULTIPLE_CHOICES = 300,
  HTTP_STATUS_MOVED_PERMANENTLY = 301,
  HTTP_STATUS_FOUND = 302,
  HTTP_STATUS_SEE_OTHER = 303,
  HTTP_STATUS_NOT_MODIFIED = 304,
  HTTP_STATUS_USE_PROXY = 305,
  HTTP_STATUS_TEMPORARY_REDIRECT = 307,
  HTTP_STATUS_PERMANENT_REDIRECT = 308,
  HTTP_STATUS_BAD_REQUEST = 400,
  HTTP_STATUS_UNAUTHORIZED = 401,
  HTTP_STATUS_PAYMENT_REQUIRED = 402,
  HTTP_STATUS_FORBIDDEN = 403,
  HTTP_STATUS_NOT_FOUND = 404,
  HTTP_STATUS_METHOD_NOT_ALLOWED = 405,
  HTTP_STATUS_NOT_ACCEPTABLE = 406,
  HTTP_STATUS_PROXY_AUTH_REQUIRED = 407,
  HTTP_STATUS_REQUEST_TIMEOUT = 408,
  HTTP_STATUS_CONFLICT = 409,
  HTTP_STATUS_GONE = 410,
  HTTP_STATUS_LENGTH_REQUIRED = 411,
  HTTP_STATUS_PRECONDITION_FAILED = 412,
  HTTP_STATUS_CONTENT_TOO_LARGE = 413,
  HTTP_STATUS_URI_TOO_LONG = 414,
  HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE = 415,
  HTTP_STATUS_RANGE_NOT_SATISFIABLE = 416,
  HTTP_STATUS_EXPECTATION_FAILED = 417,
  HTTP_STATUS_IM_A_TEAPOT = 418,
  HTTP_STATUS_MISDIRECTED_REQUEST = 421,
  HTTP_STATUS_UNPROCESSABLE_CONTENT = 422,
  HTTP_STATUS_LOCKED = 423,
  HTTP_STATUS_FAILED_DEPENDENCY = 424,
  HTTP_STATUS_TOO_EARLY = 425,
  HTTP_STATUS_UPGRADE_REQUIRED = 426,
  HTTP_STATUS_PRECONDITION_REQUIRED = 428,
  HTTP_STATUS_TOO_MANY_REQUESTS = 429,
  HTTP_STATUS_HEADER_TOO_LARGE = 431,
  HTTP_STATUS_UNAVAILABLE_LEGAL = 451,
  HTTP_STATUS_INTERNAL_ERROR = 500,
  HTTP_STATUS_NOT_IMPLEMENTED = 501,
  HTTP_STATUS_BAD_GATEWAY = 502,
  HTTP_STATUS_SERVICE_UNAVAILABLE = 503,
  HTTP_STATUS_GATEWAY_TIMEOUT = 504,
  HTTP_STATUS_VERSION_NOT_SUPPORTED = 505,
  HTTP_STATUS_VARIANT_ALSO_NEGOTIATES = 506,
  HTTP_STATUS_INSUFFICIENT_STORAGE = 507,
  HTTP_STATUS_LOOP_DETECTED = 508,
  HTTP_STATUS_NOT_EXTENDED = 510,
  HTTP_STATUS_NETWORK_AUTH_REQUIRED = 511
} SocketHTTP_StatusCode;

/** Status class (first digit). */
typedef enum
{
  HTTP_STATUS_INFORMATIONAL = 1,
  HTTP_STATUS_SUCCESSFUL = 2,
  HTTP_STATUS_REDIRECTION = 3,
  HTTP_STATUS_CLIENT_ERROR = 4,
  HTTP_STATUS_SERVER_ERROR = 5
} SocketHTTP_StatusCategory;

/**
 * @brief Reason phrase of a registered code ("OK", "Not Found", ...).
 * @return a static string; "Unknown" for codes without a registered phrase.
 */
extern SOCKET_API const char *SocketHTTP_status_reason (int code);

/** @brief Class of @p code (1..5), or 0 when @p code is outside 100..599. */
extern SOCKET_API SocketHTTP_StatusCategory SocketHTTP_status_category (int code);

/** @brief 1 if @p code is a valid three-digit status code (100..599), else 0. */
extern SOCKET_API int SocketHTTP_status_valid (int code);

/* ===================================================================== */
/* Header collections                                                    */
/* ===================================================================== */

/**
 * One header field. Name and value are NUL-terminated (the lengths exclude
 * the NUL) and owned by the collection's arena (or, for a collection filled
 * by an HTTP parser, by that parser's buffer).
 */
typedef struct
{
  const char *name;  /**< field name as received/added (case preserved) */
  size_t name_len;   /**< length of name */
  const char *value; /**< field value, surrounding whitespace removed */
  size_t value_len;  /**< length of value */
} SocketHTTP_Header;

/**
 * Ordered multimap of header fields. Lookups are case-insensitive and go
 * through a hash index (buckets keyed by the lowercased name), so they do
 * not scan unrelated fields; the index is built lazily on the first lookup
 * after additions, which keeps filling a collection (e.g. by the parser)
 * free of hashing work. Insertion order is kept for iteration and
 * serialization. Removal is O(number of fields).
 */
typedef struct SocketHTTP_Headers *SocketHTTP_Headers_T;

/**
 * Iteration callback; return 0 to continue, non-zero to stop.
 * Strings are valid until the collection changes.
 */
typedef int (*SocketHTTP_HeaderCallback) (const char *name, size_t name_len,
                                          const char *value, size_t value_len,
                                          void *userdata);

/**
 * @brief Create an empty collection in @p arena.
 * @return the collection, owned by @p arena (freed with it).
 * @throws Assert_Failed for a NULL arena; Arena_Failed when out of memory.
 */
extern SOCKET_API SocketHTTP_Headers_T SocketHTTP_Headers_new (Arena_T arena);

/**
 * @brief Release a collection and set *@p headers to NULL.
 *
 * A collection lives in its arena, and an arena cannot give back single
 * allocations, so this empties the collection (as SocketHTTP_Headers_clear)
 * and drops the caller's handle; the memory returns when the arena is
 * cleared or disposed. NULL or *NULL is a no-op. (README name; not in the
 * original headers.)
 */
extern SOCKET_API void SocketHTTP_Headers_free (SocketHTTP_Headers_T *headers);

/** @brief Remove every field (storage is kept for reuse). NULL is a no-op. */
extern SOCKET_API void SocketHTTP_Headers_clear (SocketHTTP_Headers_T headers);

/**
 * @brief Append a field (NUL-terminated name and value); see _add_n.
 * @return 0 on success, -1 for a NULL argument or an invalid name/value.
 */
extern SOCKET_API int SocketHTTP_Headers_add (SocketHTTP_Headers_T headers, const char *name,
                                              const char *value);

/**
 * @brief Append a field, copying name and value into the arena.
 *
 * The name must be a token (SocketHTTP_header_name_valid) and the value a
 * field value without CR, LF or NUL (SocketHTTP_header_value_valid), so a
 * collection can never carry a header-injection payload. Leading and
 * trailing spaces/tabs of the value are dropped (RFC 9110 section 5.5).
 * @return 0 on success, -1 for NULL arguments or invalid name/value.
 * @throws Arena_Failed when out of memory.
 */
extern SOCKET_API int SocketHTTP_Headers_add_n (SocketHTTP_Headers_T headers, const char *name,
                                                size_t name_len, const char *value,
                                                size_t value_len);

/**
 * @brief Replace every field named @p name by one field (add if absent).
 * @return as SocketHTTP_Headers_add.
 */
extern SOCKET_API int SocketHTTP_Headers_set (SocketHTTP_Headers_T headers, const char *name,
                                              const char *value);

/**
 * @brief Value of the first field named @p name (case-insensitive).
 * @return a NUL-terminated string owned by the collection, or NULL.
 */
extern SOCKET_API const char *SocketHTTP_Headers_get (SocketHTTP_Headers_T headers,
                                                      const char *name);

/**
 * @brief Parse the first @p name field as a decimal int64 (optional sign).
 * @return 0 and *@p value on success; -1 if absent, not a number or out of
 *         range (*@p value untouched).
 */
extern SOCKET_API int SocketHTTP_Headers_get_int (SocketHTTP_Headers_T headers, const char *name,
                                                  int64_t *value);

/**
 * @brief Values of every field named @p name, in order.
 * @param values  receives up to @p max_values pointers (may be NULL when
 *                @p max_values is 0, to count).
 * @return the number of matching fields (may exceed @p max_values).
 */
extern SOCKET_API size_t SocketHTTP_Headers_get_all (SocketHTTP_Headers_T headers,
                                                     const char *name, const char **values,
                                                     size_t max_values);

/** @brief 1 if a field named @p name exists, else 0. */
extern SOCKET_API int SocketHTTP_Headers_has (SocketHTTP_Headers_T headers, const char *name);

/**
 * @brief 1 if any @p name field holds @p token as an element of its
 *        comma-separated list (case-insensitive, whitespace and ";params"
 *        of an element ignored), e.g. ("Connection", "upgrade"); else 0.
 */
extern SOCKET_API int SocketHTTP_Headers_contains (SocketHTTP_Headers_T headers, const char *name,
                                                   const char *token);

/** @brief Remove the first field named @p name. @return 1 if removed, else 0. */
extern SOCKET_API int SocketHTTP_Headers_remove (SocketHTTP_Headers_T headers, const char *name);

/** @brief Remove every field named @p name. @return the number removed. */
extern SOCKET_API int SocketHTTP_Headers_remove_all (SocketHTTP_Headers_T headers,
                                                     const char *name);

/** @brief Number of fields (0 for NULL). */
extern SOCKET_API size_t SocketHTTP_Headers_count (SocketHTTP_Headers_T headers);

/**
 * @brief Field number @p index in insertion order.
 * @return a pointer valid until the collection changes, or NULL when out of range.
 */
extern SOCKET_API const SocketHTTP_Header *SocketHTTP_Headers_at (SocketHTTP_Headers_T headers,
                                                                  size_t index);

/**
 * @brief Call @p callback for each field in order until it returns non-zero.
 * @return the first non-zero callback result, or 0. The collection must not
 *         be modified from the callback.
 */
extern SOCKET_API int SocketHTTP_Headers_iterate (SocketHTTP_Headers_T headers,
                                                  SocketHTTP_HeaderCallback callback,
                                                  void *userdata);

/**
 * @brief 1 if @p name is a valid field name: a non-empty token (RFC 9110
 *        section 5.6.2) of at most SOCKETHTTP_MAX_HEADER_NAME bytes; else 0.
 */
extern SOCKET_API int SocketHTTP_header_name_valid (const char *name, size_t len);

/**
 * @brief 1 if @p value is a valid field value (RFC 9110 section 5.5):
 *        visible ASCII, obs-text (0x80-0xFF), space and tab only, so no
 *        CR, LF, NUL or other control; empty is valid. Else 0.
 */
extern SOCKET_API int SocketHTTP_header_value_valid (const char *value, size_t len);

/* ===================================================================== */
/* URIs (RFC 3986)                                                       */
/* ===================================================================== */

/**
 * Parsed URI. Absent components are NULL with length 0; port is -1 when
 * absent. With an arena every present component is a NUL-terminated,
 * normalized copy (see SocketHTTP_URI_parse); without one, components point
 * into the input and are neither normalized nor NUL-terminated.
 */
typedef struct
{
  const char *scheme;   /**< e.g. "https" (lowercased) */
  size_t scheme_len;
  const char *userinfo; /**< "user:pass" */
  size_t userinfo_len;
  const char *host;     /**< reg-name/IPv4 (lowercased), or an IPv6 literal
                             without its brackets ("::1", zone "fe80::1%25en0") */
  size_t host_len;
  int port;             /**< 0..65535, or -1 when absent */
  const char *path;     /**< path ("" if empty, never NULL on success) */
  size_t path_len;
  const char *query;    /**< without the '?' */
  size_t query_len;
  const char *fragment; /**< without the '#' */
  size_t fragment_len;
} SocketHTTP_URI;

/** URI parse result. */
typedef enum
{
  URI_PARSE_OK = 0,
  URI_PARSE_ERROR,          /**< NULL/empty input, bad fragment, stray characters */
  URI_PARSE_INVALID_SCHEME,
  URI_PARSE_INVALID_HOST,   /**< bad reg-name, IP literal or userinfo */
  URI_PARSE_INVALID_PORT,   /**< non-digit or above 65535 */
  URI_PARSE_INVALID_PATH,
  URI_PARSE_INVALID_QUERY,
  URI_PARSE_TOO_LONG        /**< longer than SOCKETHTTP_MAX_URI_LEN */
} SocketHTTP_URIResult;

/**
 * @brief Parse a URI or request-target.
 *
 * Accepted forms: absolute URIs ("https://user@host:8443/p?q#f"),
 * network-path and absolute-path references ("//host/p", "/p?q#f"),
 * relative paths ("a/b"), the authority-form of CONNECT ("host:443",
 * "[::1]:443": a reg-name or IP literal, ':', digits, nothing else) and the
 * asterisk-form ("*", returned as path "*"). Characters outside RFC 3986
 * (controls, space, DEL, non-ASCII, and " < > \ ^ ` { | }) and malformed
 * percent-escapes are rejected. IPv6 literals are checked with
 * inet_pton(); a zone identifier must be introduced by "%25" (RFC 6874).
 *
 * With an arena the components are normalized (RFC 3986 section 6.2.2):
 * scheme and host lowercased, percent-escapes of unreserved characters
 * decoded and the others' hex digits uppercased, dot segments removed
 * from absolute paths (section 5.2.4), and an empty path of an http(s) or
 * ws(s) URI with an authority becomes "/".
 *
 * @param arena  arena for the component copies, or NULL for zero-copy
 *               spans into @p uri (raw, not NUL-terminated).
 * @return URI_PARSE_OK or the failing component's code; on failure
 *         *@p result is zeroed (port -1).
 * @throws Arena_Failed when the arena runs out of memory (never for bad input).
 */
extern SOCKET_API SocketHTTP_URIResult SocketHTTP_URI_parse (const char *uri, size_t len,
                                                             SocketHTTP_URI *result,
                                                             Arena_T arena);

/** @brief Static description of @p result ("Invalid host", ...). */
extern SOCKET_API const char *SocketHTTP_URI_result_string (SocketHTTP_URIResult result);

/**
 * @brief uri->port when present, else the scheme's default (80 for http
 *        and ws, 443 for https and wss), else @p default_port.
 */
extern SOCKET_API int SocketHTTP_URI_get_port (const SocketHTTP_URI *uri, int default_port);

/** @brief 1 if the scheme is https or wss (case-insensitive), else 0. */
extern SOCKET_API int SocketHTTP_URI_is_secure (const SocketHTTP_URI *uri);

/**
 * @brief Percent-encode every byte except unreserved characters
 *        (ALPHA DIGIT - . _ ~), with uppercase hex digits.
 * @return the encoded length (output NUL-terminated), or -1 if @p output
 *         cannot hold it plus the NUL or an argument is NULL.
 */
extern SOCKET_API ssize_t SocketHTTP_URI_encode (const char *input, size_t len, char *output,
                                                 size_t output_size);

/**
 * @brief Decode percent-escapes (%XX, either case). '+' is left alone
 *        (it is only a space in form encoding).
 * @return the decoded length (output NUL-terminated), or -1 for a malformed
 *         escape, an escape that decodes to NUL (the output is a C string),
 *         a NULL argument, or too small an @p output.
 */
extern SOCKET_API ssize_t SocketHTTP_URI_decode (const char *input, size_t len, char *output,
                                                 size_t output_size);

/**
 * @brief Reassemble a URI: scheme "://" [userinfo "@"] host [":" port] path
 *        ["?" query] ["#" fragment]; an IPv6 host gets its brackets back.
 *        Components are written as stored (no re-encoding).
 * @return the length (output NUL-terminated), or -1 if @p output is too small.
 */
extern SOCKET_API ssize_t SocketHTTP_URI_build (const SocketHTTP_URI *uri, char *output,
                                                size_t output_size);

/* ===================================================================== */
/* HTTP-date (RFC 9110 section 5.6.7)                                    */
/* ===================================================================== */

/**
 * @brief Parse an HTTP-date in any of its three forms:
 *        IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT",
 *        RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" (a two-digit year more
 *        than 50 years ahead of now is taken as the previous century's),
 *        asctime "Sun Nov  6 08:49:37 1994".
 *
 * Day and month names are matched case-insensitively; fields are checked
 * (day against the month and leap years, hour 0-23, minute 0-59, second
 * 0-60 where 60 is read as 59). No surrounding whitespace is allowed. The
 * weekday is not cross-checked against the date (recipients should be
 * robust, section 5.6.7).
 * @return 0 with *@p time_out set (seconds since the epoch, UTC), or -1.
 */
extern SOCKET_API int SocketHTTP_date_parse (const char *date_str, size_t len, time_t *time_out);

/**
 * @brief Format @p t as IMF-fixdate into @p output (at least
 *        SOCKETHTTP_DATE_BUFSIZE bytes).
 * @return 29 (characters written, NUL excluded), or -1 when @p t is before
 *         1970 or after year 9999, or @p output is NULL.
 */
extern SOCKET_API int SocketHTTP_date_format (time_t t, char *output);

/* ===================================================================== */
/* Media types and Accept lists                                          */
/* ===================================================================== */

/** Parsed media type ("text/html; charset=utf-8"); absent parts are NULL/0. */
typedef struct
{
  const char *type;     /**< lowercased */
  size_t type_len;
  const char *subtype;  /**< lowercased */
  size_t subtype_len;
  const char *charset;  /**< lowercased, unquoted */
  size_t charset_len;
  const char *boundary; /**< case kept, unquoted */
  size_t boundary_len;
} SocketHTTP_MediaType;

/** One element of an Accept-style list with its weight. */
typedef struct
{
  const char *value; /**< the element without its parameters (NUL-terminated copy) */
  size_t value_len;
  float quality;     /**< 0.0 .. 1.0 (1.0 when no q parameter) */
} SocketHTTP_QualityValue;

/**
 * @brief Parse a media-type (RFC 9110 section 8.3.1): type "/" subtype
 *        *( OWS ";" OWS parameter ). Unknown parameters are skipped;
 *        quoted-string values are unescaped.
 * @return 0 on success (strings copied into @p arena), -1 if malformed.
 * @throws Arena_Failed when out of memory.
 */
extern SOCKET_API int SocketHTTP_MediaType_parse (const char *value, size_t len,
                                                  SocketHTTP_MediaType *result, Arena_T arena);

/**
 * @brief 1 if @p type matches @p pattern ("type/subtype", "type/ *" or
 *        "* / *" without the spaces; case-insensitive), else 0.
 */
extern SOCKET_API int SocketHTTP_MediaType_matches (const SocketHTTP_MediaType *type,
                                                    const char *pattern);

/**
 * @brief Parse an Accept-style list ("text/html;q=0.9, * / *;q=0.1",
 *        Accept-Encoding, Accept-Language) into at most @p max_results
 *        entries sorted by quality, highest first (ties keep list order).
 *        Elements with a malformed qvalue are skipped; q=0 ones are kept
 *        (they mean "not acceptable").
 * @return the number of entries written.
 * @throws Arena_Failed when out of memory.
 */
extern SOCKET_API size_t SocketHTTP_parse_accept (const char *value, size_t len,
                                                  SocketHTTP_QualityValue *results,
                                                  size_t max_results, Arena_T arena);

/* ===================================================================== */
/* Content and transfer codings                                          */
/* ===================================================================== */

/** Content/transfer codings (RFC 9110 section 8.4.1, RFC 9112 section 7). */
typedef enum
{
  HTTP_CODING_IDENTITY = 0,
  HTTP_CODING_CHUNKED = 1,
  HTTP_CODING_GZIP = 2,     /**< also "x-gzip" */
  HTTP_CODING_DEFLATE = 3,
  HTTP_CODING_COMPRESS = 4, /**< also "x-compress" */
  HTTP_CODING_BR = 5,
  HTTP_CODING_UNKNOWN = -1
} SocketHTTP_Coding;

/** @brief Coding named @p name (case-insensitive); HTTP_CODING_UNKNOWN otherwise. */
extern SOCKET_API SocketHTTP_Coding SocketHTTP_coding_parse (const char *name, size_t len);

/** @brief Canonical name ("gzip", ...); NULL for HTTP_CODING_UNKNOWN. */
extern SOCKET_API const char *SocketHTTP_coding_name (SocketHTTP_Coding coding);

/* ===================================================================== */
/* Messages                                                              */
/* ===================================================================== */

/**
 * A request head, as produced by the HTTP/1.1 parser (and consumed by the
 * serializer). For origin-form targets @c path is the target including
 * its query and @c authority the Host value; for absolute-form targets
 * @c scheme/@c authority come from the target and @c path is its
 * path-and-query ("/" if empty); for CONNECT (authority-form) @c authority
 * and @c path are the target; for "*" @c path is "*".
 */
typedef struct
{
  SocketHTTP_Method method;
  SocketHTTP_Version version;
  const char *scheme;         /**< NULL unless absolute-form */
  const char *authority;      /**< NULL when unknown */
  const char *path;
  SocketHTTP_Headers_T headers;
  int has_body;               /**< 1 if content follows the head */
  int64_t content_length;     /**< -1 when not given by Content-Length */
} SocketHTTP_Request;

/** A response head. */
typedef struct
{
  SocketHTTP_Version version;
  int status_code;
  const char *reason_phrase;  /**< "" when absent */
  SocketHTTP_Headers_T headers;
  int has_body;
  int64_t content_length;     /**< -1 when not given by Content-Length */
} SocketHTTP_Response;

#endif /* SOCKETHTTP_INCLUDED */
