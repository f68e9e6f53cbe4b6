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
 *        "HTTP/2" or "HTTP/3"; "HTTP/?" for any other value.
 * @return a static string (never NULL).
 */
extern SOCKET_API const char *SocketHTTP_version_string (SocketHTTP_Version version);

/**
 * @brief Parse a protocol version: "HTTP/0.9", "HTTP/1.0", "HTTP/1.1",
 *        "HTTP/2" or "HTTP/3" (exact, case-sensitive; "HTTP/2.0" is not one).
 *        @p len 0 means strlen(@p str).
 * @return the version; HTTP_VERSION_0_9 for anything else and for NULL
 *         (there is no "unknown" value).
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
                                   (0 for HEAD only) */
} SocketHTTP_MethodProperties;

/**
 * @brief Canonical name of @p method ("GET", ...).
 * @return a static string, or NULL for HTTP_METHOD_UNKNOWN/out of range.
 */
extern SOCKET_API const char *SocketHTTP_method_name (SocketHTTP_Method method);

/**
 * @brief Map a method token to the enum. Methods are case-sensitive
 *        (RFC 9110 section 9.1): "get" is HTTP_METHOD_UNKNOWN. @p len 0
 *        means strlen(@p str); NULL is HTTP_METHOD_UNKNOWN.
 */
extern SOCKET_API SocketHTTP_Method SocketHTTP_method_parse (const char *str, size_t len);

/** @brief Semantics of @p method; all bits 0 except response_body for UNKNOWN. */
extern SOCKET_API SocketHTTP_MethodProperties SocketHTTP_method_properties (SocketHTTP_Method method);

/**
 * @brief 1 if @p str is a syntactically valid method (a non-empty token, no
 *        length limit; @p len is required), else 0.
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
  const char *value; /**< field value (as added; the parser strips OWS) */
  size_t value_len;  /**< length of value */
} SocketHTTP_Header;

/**
 * Ordered multimap of header fields. Lookups are case-insensitive and go
 * through a hash index (buckets keyed by the lowercased name), so they do
 * not scan unrelated fields; the index is built lazily on the first lookup
 * after additions, which keeps filling a collection (e.g. by the parser)
 * free of hashing work. Insertion order is kept for iteration and
 * serialization. Removal is O(number of fields). With several fields of
 * one name, get/get_int/contains/remove act on the most recently added.
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
 * @return NULL for a NULL arena.
 * @throws Arena_Failed when out of memory.
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
 * @brief Append a field (NUL-terminated name and value); see _add_n. A
 *        NULL @p value adds an empty value.
 * @return 0 on success, -1 for a NULL collection/name or an invalid name/value.
 */
extern SOCKET_API int SocketHTTP_Headers_add (SocketHTTP_Headers_T headers, const char *name,
                                              const char *value);

/**
 * @brief Append a field, copying name and value into the arena.
 *
 * The name must be a token (SocketHTTP_header_name_valid) and the value a
 * field value without CR, LF or NUL (SocketHTTP_header_value_valid), so a
 * collection can never carry a header-injection payload. The value is
 * stored verbatim; NULL with @p value_len 0 is an empty value.
 * @return 0 on success, -1 for NULL arguments, an invalid name/value, a
 *         collection already holding SOCKETHTTP_MAX_HEADERS fields, or when
 *         the total of name_len + value_len + 2 over all fields would exceed
 *         SOCKETHTTP_MAX_HEADER_SIZE.
 * @throws Arena_Failed when out of memory.
 */
extern SOCKET_API int SocketHTTP_Headers_add_n (SocketHTTP_Headers_T headers, const char *name,
                                                size_t name_len, const char *value,
                                                size_t value_len);

/**
 * @brief Replace every field named @p name by one field (add if absent).
 * @return as SocketHTTP_Headers_add; on -1 the collection is unchanged.
 */
extern SOCKET_API int SocketHTTP_Headers_set (SocketHTTP_Headers_T headers, const char *name,
                                              const char *value);

/**
 * @brief Value of the most recently added field named @p name
 *        (case-insensitive).
 * @return a NUL-terminated string owned by the collection, or NULL.
 */
extern SOCKET_API const char *SocketHTTP_Headers_get (SocketHTTP_Headers_T headers,
                                                      const char *name);

/**
 * @brief Parse the @p name field Headers_get returns as a decimal int64
 *        (surrounding SP/HTAB and one sign allowed).
 * @return 0 and *@p value on success; -1 if absent, not a number or above
 *         INT64_MAX in magnitude (*@p value untouched).
 */
extern SOCKET_API int SocketHTTP_Headers_get_int (SocketHTTP_Headers_T headers, const char *name,
                                                  int64_t *value);

/**
 * @brief Values of every field named @p name, in order.
 * @param values  receives up to @p max_values pointers.
 * @return the number of pointers stored (at most @p max_values; 0 when
 *         @p values is NULL or @p max_values is 0).
 */
extern SOCKET_API size_t SocketHTTP_Headers_get_all (SocketHTTP_Headers_T headers,
                                                     const char *name, const char **values,
                                                     size_t max_values);

/** @brief 1 if a field named @p name exists, else 0. */
extern SOCKET_API int SocketHTTP_Headers_has (SocketHTTP_Headers_T headers, const char *name);

/**
 * @brief 1 if the @p name field Headers_get returns holds @p token as an
 *        element (elements split on ',', SP and HTAB; compared
 *        case-insensitively; ";params" are part of the element), e.g.
 *        ("Connection", "upgrade"); else 0.
 */
extern SOCKET_API int SocketHTTP_Headers_contains (SocketHTTP_Headers_T headers, const char *name,
                                                   const char *token);

/** @brief Remove the most recently added field named @p name. @return 1 if removed, else 0. */
extern SOCKET_API int SocketHTTP_Headers_remove (SocketHTTP_Headers_T headers, const char *name);

/** @brief Remove every field named @p name. @return the number removed. */
extern SOCKET_API int SocketHTTP_Headers_remove_all (SocketHTTP_Headers_T headers,
                                                     const char *name);

/** @brief Number of fields (0 for NULL). */
extern SOCKET_API size_t SocketHTTP_Headers_count (SocketHTTP_Headers_T headers);

/**
 * @brief Field number @p index in insertion order.
 * @return a pointer to the field, or NULL when out of range. Fields never
 *         move: the pointer stays readable until the arena goes (it is
 *         detached from the collection once the field is removed).
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
 * @brief 1 if @p value is a valid field value: at most
 *        SOCKETHTTP_MAX_HEADER_VALUE bytes without NUL, CR or LF (a CRLF
 *        pair is refused too: header injection); other bytes, including
 *        controls and obs-text, are accepted; empty (also NULL with len 0)
 *        is valid. Else 0.
 */
extern SOCKET_API int SocketHTTP_header_value_valid (const char *value, size_t len);

/* ===================================================================== */
/* URIs (RFC 3986)                                                       */
/* ===================================================================== */

/**
 * Parsed URI. Absent components are NULL with length 0; port is -1 when
 * absent. Every present component is a NUL-terminated copy in the arena.
 */
typedef struct
{
  const char *scheme;   /**< e.g. "https" (lowercased) */
  size_t scheme_len;
  const char *userinfo; /**< "user:pass" (NULL when empty) */
  size_t userinfo_len;
  const char *host;     /**< as written; an IPv6 literal keeps its brackets
                             ("[::1]"); NULL when empty */
  size_t host_len;
  int port;             /**< 0..65535, or -1 when absent */
  const char *path;     /**< path ("" if empty, never NULL on success) */
  size_t path_len;
  const char *query;    /**< without the '?'; "" when present but empty */
  size_t query_len;
  const char *fragment; /**< without the '#' */
  size_t fragment_len;
} SocketHTTP_URI;

/** URI parse result. */
typedef enum
{
  URI_PARSE_OK = 0,
  URI_PARSE_ERROR,          /**< NULL argument or arena, control byte in the fragment */
  URI_PARSE_INVALID_SCHEME,
  URI_PARSE_INVALID_HOST,   /**< unclosed '[', control byte in host/userinfo */
  URI_PARSE_INVALID_PORT,   /**< non-digit or above 65535 */
  URI_PARSE_INVALID_PATH,   /**< control byte in the path */
  URI_PARSE_INVALID_QUERY,  /**< control byte in the query */
  URI_PARSE_TOO_LONG        /**< longer than SOCKETHTTP_MAX_URI_LEN */
} SocketHTTP_URIResult;

/**
 * @brief Parse a URI reference (RFC 3986 generic syntax, leniently).
 *
 * "scheme:" is a leading ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) before
 * the first ':' (lowercased); otherwise the whole input is a relative
 * reference. An authority is read only after "scheme://" ("//host/p" is a
 * path): the last '@' ends the userinfo, "[...]" is kept with its brackets,
 * the first ':' ends the host and the last ':' starts the port. So
 * "host:443" is scheme "host" and path "443". There is no percent-decoding
 * and no normalization; only control bytes (< 0x20, 0x7F) are refused.
 * "*" gives path "*".
 *
 * @param len    length of @p uri; 0 means strlen(@p uri).
 * @param arena  arena for the component copies (required).
 * @return URI_PARSE_OK or an error code; *@p result is zeroed (port -1)
 *         before parsing except for NULL arguments and URI_PARSE_TOO_LONG.
 * @throws Arena_Failed when the arena runs out of memory (never for bad input).
 */
extern SOCKET_API SocketHTTP_URIResult SocketHTTP_URI_parse (const char *uri, size_t len,
                                                             SocketHTTP_URI *result,
                                                             Arena_T arena);

/** @brief Static description of @p result ("Invalid host", ...; "Unknown error" out of range). */
extern SOCKET_API const char *SocketHTTP_URI_result_string (SocketHTTP_URIResult result);

/**
 * @brief uri->port when present, else @p default_port (no scheme-based
 *        default).
 */
extern SOCKET_API int SocketHTTP_URI_get_port (const SocketHTTP_URI *uri, int default_port);

/** @brief 1 if the scheme is exactly "https" or "wss" (parsed schemes are lowercase), else 0. */
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
 * @brief Decode percent-escapes (%XX, either case) and '+' as a space.
 * @return the decoded length (output NUL-terminated), or -1 for a malformed
 *         escape, an escape that decodes to NUL (the output is a C string),
 *         a NULL argument, or too small an @p output.
 */
extern SOCKET_API ssize_t SocketHTTP_URI_decode (const char *input, size_t len, char *output,
                                                 size_t output_size);

/**
 * @brief Reassemble a URI: [scheme ":"] ["//" only with scheme and host]
 *        [userinfo "@"] host [":" port] path ["?" query] ["#" fragment];
 *        userinfo and port only with a host, "?"/"#" only before non-empty
 *        parts. Components are written as stored (an IPv6 host carries its
 *        brackets; no re-encoding).
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
 *        RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit years 69-99
 *        are 19xx, 00-68 are 20xx),
 *        asctime "Sun Nov  6 08:49:37 1994".
 *
 * @p len 0 means strlen. Leading SP/HTAB are skipped and text after the
 * date is ignored; the weekday is not checked; month names are
 * case-insensitive, "GMT" is not; day 1-31 is not checked against the
 * month (Feb 30 is Mar 1 or 2) and second 60 rolls into the next minute.
 * @return 0 with *@p time_out set (seconds since the epoch, UTC), or -1.
 */
extern SOCKET_API int SocketHTTP_date_parse (const char *date_str, size_t len, time_t *time_out);

/**
 * @brief Format @p t as IMF-fixdate into @p output (at least
 *        SOCKETHTTP_DATE_BUFSIZE bytes).
 * @return 29 (characters written, NUL excluded), or -1 when the year does
 *         not fit in four characters (after 9999) or @p output is NULL.
 *         Reentrant.
 */
extern SOCKET_API int SocketHTTP_date_format (time_t t, char *output);

/* ===================================================================== */
/* Media types and Accept lists                                          */
/* ===================================================================== */

/** Parsed media type ("text/html; charset=utf-8"); absent parts are NULL/0. */
typedef struct
{
  const char *type;     /**< case kept */
  size_t type_len;
  const char *subtype;  /**< case kept */
  size_t subtype_len;
  const char *charset;  /**< case kept, unquoted */
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
 * @brief Parse a media-type (RFC 9110 section 8.3.1), leniently: @p len 0
 *        means strlen; leading SP/HTAB skipped; non-empty type "/" subtype
 *        (no whitespace before the '/'); then charset/boundary parameters
 *        (names case-insensitive, last one wins, quotes removed, backslash
 *        escapes kept); unknown or malformed parameters are skipped.
 * @return 0 on success (strings copied into @p arena), -1 without a
 *         type/subtype or for a NULL argument.
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
 *        Accept-Encoding, Accept-Language): @p len 0 means strlen; the
 *        first @p max_results elements are read, then sorted by quality,
 *        highest first (ties keep list order). Only a first parameter
 *        "q=" counts (strtof, clamped to 0..1, unparsable -> 0); q=0
 *        entries are kept (they mean "not acceptable").
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
  HTTP_CODING_GZIP = 2,
  HTTP_CODING_DEFLATE = 3,
  HTTP_CODING_COMPRESS = 4,
  HTTP_CODING_BR = 5,
  HTTP_CODING_UNKNOWN = -1
} SocketHTTP_Coding;

/** @brief Coding named @p name (case-insensitive; @p len 0 means strlen); HTTP_CODING_UNKNOWN otherwise. */
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
