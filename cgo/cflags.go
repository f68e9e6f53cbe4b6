package cgo

// All build flags of the package. The bundled build (default) compiles
// ../csrc through the zz_*.c stubs; socket_system links an installed
// libsocket and compiles only the shims.

/*
#cgo !socket_system CFLAGS: -I${SRCDIR}/../include -I${SRCDIR}/../csrc -std=gnu11 -D_GNU_SOURCE -DSOCKET_HAS_TLS=1 -DSOCKETHTTP1_HAS_COMPRESSION=1 -O2
#cgo !socket_system LDFLAGS: -lssl -lcrypto -lz -lpthread
#cgo socket_system CFLAGS: -std=gnu11 -D_GNU_SOURCE -DSOCKET_USE_SYSTEM_LIB -O2
#cgo socket_system pkg-config: libsocket libssl libcrypto
#cgo socket_system LDFLAGS: -lpthread
*/
import "C"
