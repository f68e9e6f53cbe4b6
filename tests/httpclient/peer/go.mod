module libsocket/tests/httpclient/peer

go 1.26.0
