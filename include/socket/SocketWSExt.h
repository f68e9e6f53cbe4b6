/**
 * @file SocketWSExt.h
 * @brief libsocket extension (not in the original API): the WebSocket
 *        protocol as a codec without I/O, and the opening handshake helpers.
 *
 * A codec turns received bytes into events and API calls into bytes to
 * write:
 *
 * @code
 *   SocketWSExt_Codec_T c = SocketWSExt_codec_new (&cfg, &deflate_params);
 *   size_t space; void *in = SocketWSExt_input_space (c, &space);
 *   SocketWSExt_input_commit (c, read (fd, in, space));
 *   SocketWSExt_Event ev;
 *   while (SocketWSExt_next_event (c, &ev))
 *     switch (ev.type) { case WSEXT_EV_DATA: use (ev.data, ev.len); ... }
 *   size_t n; const unsigned char *out = SocketWSExt_output (c, &n);
 *   SocketWSExt_output_consumed (c, write (fd, out, n));
 * @endcode
 *
 * Received messages are streamed (MESSAGE_START, DATA chunks,
 * MESSAGE_END), so a large message need not be buffered whole;
 * SocketWSExt_next_message() assembles whole messages on top. Pings are
 * answered, a peer's CLOSE is echoed, and a protocol error queues the
 * CLOSE RFC 6455 requires (1002, 1007, 1009) before it is reported as an
 * ERROR event. SocketWS.h connections and the Go bindings are built on it.
 *
 * Limits: max_frame_size, max_message_size (also caps decompressed
 * output: a decompression bomb ends in 1009) and max_fragments from the
 * SocketWS_Config; the input buffer starts at 16 KiB and grows up to
 * SOCKETWSEXT_INPUT_CAP bytes.
 *
 * Thread-safety: one thread per codec; the handshake helpers are thread-safe.
 */
#ifndef SOCKETWSEXT_INCLUDED
#define SOCKETWSEXT_INCLUDED

#include <stddef.h>
#include <sys/types.h>

#include "socket/SocketWS.h"

/** Bytes the codec's input buffer holds (input() accepts at most the free part). */
#define SOCKETWSEXT_INPUT_CAP (256u * 1024u)
/** Largest handshake request or response head built or accepted. */
#define SOCKETWSEXT_MAX_HANDSHAKE 8192

/** A WebSocket protocol endpoint without I/O. */
typedef struct SocketWSExt_Codec *SocketWSExt_Codec_T;

/** Negotiated permessage-deflate parameters (all zero: not in use). */
typedef struct
{
  int enabled;
  int server_no_context_takeover;
  int client_no_context_takeover;
  int server_max_window_bits; /**< 8..15; 15 when not negotiated */
  int client_max_window_bits; /**< 8..15; 15 when not negotiated */
} SocketWSExt_Deflate;

/** Event kinds returned by SocketWSExt_next_event(). */
typedef enum
{
  WSEXT_EV_MESSAGE_START = 1, /**< opcode TEXT or BINARY */
  WSEXT_EV_DATA = 2,          /**< a chunk of the current message (unmasked, inflated) */
  WSEXT_EV_MESSAGE_END = 3,
  WSEXT_EV_PING = 4,          /**< data = payload; a PONG is already queued */
  WSEXT_EV_PONG = 5,
  WSEXT_EV_CLOSE = 6,         /**< peer's CLOSE: close_code (1005 if none), data = reason */
  WSEXT_EV_ERROR = 7          /**< protocol error: close_code is the CLOSE queued, error the class */
} SocketWSExt_EventType;

/** One event; @c data stays valid until the next call on the codec. */
typedef struct
{
  SocketWSExt_EventType type;
  SocketWS_Opcode opcode;
  const unsigned char *data;
  size_t len;
  int close_code;
  SocketWS_Error error;
} SocketWSExt_Event;

/**
 * @brief New codec. @p config copied (NULL: defaults); its role decides
 *        masking. @p deflate NULL or not enabled: no compression.
 * @return the codec, or NULL when out of memory or zlib refuses the
 *         parameters.
 */
extern SOCKET_API SocketWSExt_Codec_T SocketWSExt_codec_new (const SocketWS_Config *config,
                                                             const SocketWSExt_Deflate *deflate);
/** @brief Free the codec and set *@p codec NULL. NULL-safe. */
extern SOCKET_API void SocketWSExt_codec_free (SocketWSExt_Codec_T *codec);

/** @brief Copy up to @p len received bytes in. @return bytes taken (less when the buffer is full: pull events first). */
extern SOCKET_API size_t SocketWSExt_input (SocketWSExt_Codec_T codec, const void *data, size_t len);
/** @brief Free space to receive into directly (*@p space bytes; may be 0). */
extern SOCKET_API void *SocketWSExt_input_space (SocketWSExt_Codec_T codec, size_t *space);
/** @brief Mark @p n bytes written at SocketWSExt_input_space() as received. */
extern SOCKET_API void SocketWSExt_input_commit (SocketWSExt_Codec_T codec, size_t n);
/** @brief Received bytes not parsed yet. */
extern SOCKET_API size_t SocketWSExt_input_pending (SocketWSExt_Codec_T codec);

/**
 * @brief Parse the next event out of the buffered input.
 * @return 1 with *@p ev filled, 0 when more input is needed or the codec
 *         is finished (failed, or the peer's CLOSE was seen).
 */
extern SOCKET_API int SocketWSExt_next_event (SocketWSExt_Codec_T codec, SocketWSExt_Event *ev);

/**
 * @brief Assemble the next whole TEXT/BINARY message out of the events.
 * @return 1 with @p msg filled (malloc'd, NUL-terminated; release with
 *         SocketWS_Message_free), 0 when more input is needed, -1 when the
 *         codec stopped (peer CLOSE or protocol error; see
 *         SocketWSExt_close_received / SocketWSExt_error). Control
 *         frames are handled on the way (pings answered, close echoed).
 */
extern SOCKET_API int SocketWSExt_next_message (SocketWSExt_Codec_T codec, SocketWS_Message *msg);

/** @brief Queued bytes to write (*@p len), or NULL when none. */
extern SOCKET_API const unsigned char *SocketWSExt_output (SocketWSExt_Codec_T codec, size_t *len);
/** @brief Drop @p n written bytes from the output. */
extern SOCKET_API void SocketWSExt_output_consumed (SocketWSExt_Codec_T codec, size_t n);
/** @brief Bytes queued for writing. */
extern SOCKET_API size_t SocketWSExt_output_pending (SocketWSExt_Codec_T codec);

/**
 * @brief Queue a whole TEXT/BINARY message (compressed if negotiated,
 *        split into frames of at most max_frame_size).
 * @return WS_OK, WS_ERROR_CLOSED (CLOSE already sent or codec failed),
 *         WS_ERROR_INVALID_UTF8 (TEXT with validate_utf8),
 *         WS_ERROR_MESSAGE_TOO_LARGE, WS_ERROR_PROTOCOL (bad opcode or a
 *         streamed message is open), WS_ERROR_COMPRESSION.
 */
extern SOCKET_API SocketWS_Error SocketWSExt_send_message (SocketWSExt_Codec_T codec, SocketWS_Opcode opcode,
                                                           const void *data, size_t len);
/** @brief Open a streamed message of @p opcode (TEXT/BINARY). */
extern SOCKET_API SocketWS_Error SocketWSExt_send_begin (SocketWSExt_Codec_T codec, SocketWS_Opcode opcode);
/** @brief Queue one non-final fragment of the streamed message (UTF-8 checked across fragments). */
extern SOCKET_API SocketWS_Error SocketWSExt_send_continue (SocketWSExt_Codec_T codec, const void *data, size_t len);
/** @brief Queue the final fragment (may be empty) and close the streamed message. */
extern SOCKET_API SocketWS_Error SocketWSExt_send_finish (SocketWSExt_Codec_T codec, const void *data, size_t len);
/** @brief Queue a PING (@p len <= 125, else WS_ERROR_PROTOCOL). */
extern SOCKET_API SocketWS_Error SocketWSExt_send_ping (SocketWSExt_Codec_T codec, const void *data, size_t len);
/** @brief Queue a PONG (@p len <= 125, else WS_ERROR_PROTOCOL). */
extern SOCKET_API SocketWS_Error SocketWSExt_send_pong (SocketWSExt_Codec_T codec, const void *data, size_t len);
/**
 * @brief Queue a CLOSE. @p code 1005 (or 0) sends no payload; codes that
 *        may not be sent give WS_ERROR_PROTOCOL; @p reason is cut to 123
 *        bytes on a UTF-8 boundary. A second call is a no-op (WS_OK).
 */
extern SOCKET_API SocketWS_Error SocketWSExt_send_close (SocketWSExt_Codec_T codec, int code, const char *reason,
                                                         size_t reason_len);

/** @brief 1 once we queued a CLOSE. */
extern SOCKET_API int SocketWSExt_close_sent (SocketWSExt_Codec_T codec);
/** @brief 1 once the peer's CLOSE arrived. */
extern SOCKET_API int SocketWSExt_close_received (SocketWSExt_Codec_T codec);
/** @brief Close code of the peer's CLOSE (1005 if empty), or the code we sent on a protocol error; 0 if none. */
extern SOCKET_API int SocketWSExt_close_code (SocketWSExt_Codec_T codec);
/** @brief Reason of the peer's CLOSE (NUL-terminated, owned by the codec), or "". */
extern SOCKET_API const char *SocketWSExt_close_reason (SocketWSExt_Codec_T codec);
/** @brief WS_OK, or the protocol error that stopped the codec. */
extern SOCKET_API SocketWS_Error SocketWSExt_error (SocketWSExt_Codec_T codec);
/** @brief Number of PONG frames received so far (auto-ping bookkeeping). */
extern SOCKET_API unsigned long SocketWSExt_pongs_received (SocketWSExt_Codec_T codec);

/** @brief 1 if @p code may appear in a CLOSE frame (1000-1003, 1007-1014, 3000-4999), else 0. */
extern SOCKET_API int SocketWSExt_close_code_valid (int code);

/**
 * @brief XOR @p len bytes with the 4-byte @p key starting at key offset
 *        @p key_offset (0..3). Word-at-a-time. @return the next key offset.
 */
extern SOCKET_API size_t SocketWSExt_mask (unsigned char *data, size_t len, const unsigned char key[4],
                                           size_t key_offset);

/* ---- opening handshake ----------------------------------------------- */

/**
 * @brief Build a client upgrade request.
 * @param key  the Sec-WebSocket-Key (24 characters; SocketCrypto_websocket_key()).
 * @param extra_headers NULL or a NULL-terminated list of name, value,
 *        name, value... (no CR/LF allowed; also used for Origin).
 * @return bytes written (without the NUL), or -1 (bad characters in host,
 *         path or headers, or @p cap too small).
 */
extern SOCKET_API ssize_t SocketWSExt_client_request (char *buf, size_t cap, const char *host, const char *path,
                                                      const char *key, const SocketWS_Config *config,
                                                      const char *const *extra_headers);

/**
 * @brief Check a server's response head against our request.
 * @param subprotocol_out receives the server's choice (pointer into
 *        @p response's headers, or NULL).
 * @param deflate_out receives the negotiated permessage-deflate parameters.
 * @return NULL when acceptable, else a static reason ("redirect refused"
 *         for 3xx, "status is not 101", "Sec-WebSocket-Accept mismatch",
 *         "subprotocol not offered", "extension not offered", ...).
 */
extern SOCKET_API const char *SocketWSExt_client_verify (const SocketHTTP_Response *response, const char *key,
                                                         const SocketWS_Config *config,
                                                         const char **subprotocol_out,
                                                         SocketWSExt_Deflate *deflate_out);

/**
 * @brief Validate a server-side upgrade @p request and negotiate.
 * @param subprotocol_out receives the configured name chosen (or NULL).
 * @param deflate_out receives the permessage-deflate parameters accepted.
 * @return NULL when acceptable, else a static reason.
 */
extern SOCKET_API const char *SocketWSExt_server_check (const SocketHTTP_Request *request,
                                                        const SocketWS_Config *config,
                                                        const char **subprotocol_out,
                                                        SocketWSExt_Deflate *deflate_out);

/** @brief Build the 101 response. @return bytes written, or -1 if @p cap is too small or the key is bad. */
extern SOCKET_API ssize_t SocketWSExt_server_response (char *buf, size_t cap, const char *key,
                                                       const char *subprotocol, const SocketWSExt_Deflate *deflate);

/**
 * @brief zlib compression level for the messages @p codec sends.
 *
 * 0 (store) .. 9 (smallest), or -1 for zlib's default (6), which is what a
 * new codec uses. Lower levels trade ratio for speed: level 1 deflates
 * roughly twice as fast as 6 on text (gorilla/websocket's default is 1).
 * The peer needs nothing: any level inflates the same way. Takes effect
 * from the next message.
 *
 * @return 0; -1 when permessage-deflate is not in use on this codec, a
 *         streamed send (send_begin) is open, or @p level is out of range.
 *         Never raises.
 */
extern SOCKET_API int SocketWSExt_set_deflate_level (SocketWSExt_Codec_T codec, int level);

/**
 * @brief Whether permessage-deflate (RFC 7692) is compiled in.
 *
 * It is when the library was built with ENABLE_WEBSOCKET_DEFLATE (the
 * default) and zlib was found. When it is not, enable_permessage_deflate
 * is ignored: a client sends no offer and refuses a 101 that selects the
 * extension, a server declines every offer, and a codec given enabled
 * deflate parameters is not created.
 *
 * @return 1 if compiled in, 0 if not. Thread-safe; never raises.
 */
extern SOCKET_API int SocketWSExt_deflate_available (void);

/** @brief Parse a Sec-WebSocket-Extensions offer as a server. @return 1 accepted (*@p out filled), 0 declined. */
extern SOCKET_API int SocketWSExt_deflate_negotiate (const char *offer, const SocketWS_Config *config,
                                                     SocketWSExt_Deflate *out);
/** @brief Check the server's Sec-WebSocket-Extensions answer to our offer. @return 1 valid (*@p out filled), 0 invalid. */
extern SOCKET_API int SocketWSExt_deflate_accept_response (const char *response, const SocketWS_Config *config,
                                                           SocketWSExt_Deflate *out);

/**
 * @brief Server accept that keeps the bytes read after the request head
 *        (the client may send its first frames right behind the request).
 * @param leftover bytes received after the head (copied); may be NULL with @p leftover_len 0.
 * Raises: as SocketWS_server_accept().
 */
extern SOCKET_API SocketWS_T SocketWSExt_server_accept_data (Socket_T socket, const SocketHTTP_Request *request,
                                                             const SocketWS_Config *config, const void *leftover,
                                                             size_t leftover_len);

/** @brief The connection's codec (for streaming reads/writes on top of SocketWS). */
extern SOCKET_API SocketWSExt_Codec_T SocketWSExt_codec (SocketWS_T ws);

#endif /* SOCKETWSEXT_INCLUDED */
