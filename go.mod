module github.com/libsocket/libsocket

go 1.26
