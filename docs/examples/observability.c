/*
 * observability.c - the seed README's "Observability" snippet as a complete
 * program: a log callback, a metrics snapshot and an event handler.
 */
#include <stdio.h>

#include "core/SocketUtil.h"

static int log_lines, events_seen;

/* Custom logging callback */
static void
my_logger (void *userdata, SocketLogLevel level, const char *component,
           const char *message)
{
  (void)userdata;
  printf ("[%s] %s: %s\n", SocketLog_levelname (level), component, message);
  log_lines++;
}

/* Event callbacks */
static void
on_event (void *userdata, const SocketEventRecord *event)
{
  (void)userdata;
  events_seen++;
  switch (event->type)
    {
    case SOCKET_EVENT_CONNECTED:
      printf ("Connected to %s:%d\n", event->data.connection.peer_addr,
              event->data.connection.peer_port);
      break;
    case SOCKET_EVENT_DNS_TIMEOUT:
      printf ("DNS timeout for %s\n", event->data.dns.host);
      break;
    default:
      break;
    }
}

int
main (void)
{
  SocketLog_setcallback (my_logger, NULL);
  SocketLog_emitf (SOCKET_LOG_INFO, "Example", "logging through %s", "my_logger");

  /* Metrics collection */
  SocketMetrics_increment (SOCKET_METRIC_SOCKET_CONNECT_SUCCESS, 3);
  SocketMetricsSnapshot snapshot;
  SocketMetrics_getsnapshot (&snapshot);

  printf ("Connect successes: %llu\n",
          SocketMetrics_snapshot_value (&snapshot, SOCKET_METRIC_SOCKET_CONNECT_SUCCESS));
  printf ("DNS requests: %llu\n",
          SocketMetrics_snapshot_value (&snapshot, SOCKET_METRIC_DNS_REQUEST_SUBMITTED));
  printf ("Pool connections: %llu\n",
          SocketMetrics_snapshot_value (&snapshot, SOCKET_METRIC_POOL_CONNECTIONS_ADDED));

  /* Reset metrics */
  SocketMetrics_reset ();

  SocketEvent_register (on_event, NULL);
  SocketEvent_emit_connect (7, "127.0.0.1", 8080, "127.0.0.1", 40000);
  SocketEvent_emit_dns_timeout ("slow.example", 443);
  SocketEvent_unregister (on_event, NULL);
  SocketLog_setcallback (NULL, NULL);

  return log_lines == 1 && events_seen == 2
                 && SocketMetrics_snapshot_value (&snapshot, SOCKET_METRIC_SOCKET_CONNECT_SUCCESS) == 3
             ? 0 : 1;
}
