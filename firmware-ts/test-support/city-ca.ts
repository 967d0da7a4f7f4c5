// Test certificates made once with openssl (EC P-256, valid to 2126), shared by the tests
// that need a city CA without running openssl themselves.

/** A city CA: `openssl req -x509 ... -addext basicConstraints=critical,CA:TRUE`. */
export const CITY_CA = `-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIUKvLGZMA77oin/y6OEZItXeGpIKUwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMQ2l0eSBUZXN0IENBMCAXDTI2MTIwMTIzNTk0MFoYDzIxMjYx
MTA3MjM1OTQwWjAXMRUwEwYDVQQDDAxDaXR5IFRlc3QgQ0EwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAARuM57d/S5wu/Q8eQ6Mh0eK45ScjIunk6nkBx8jOPlRBIkP
aaqO+pxk0WbNtZROkMhwcpJCkYdnditx9SbkC006o2MwYTAdBgNVHQ4EFgQUBMKj
h9R3u/T1crXWiERQOQpFcogwHwYDVR0jBBgwFoAUBMKjh9R3u/T1crXWiERQOQpF
cogwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwID
SAAwRQIgXBXDwVE0IuLgEHRLUqvdiZeZxta5V0ZO2P6G2fW57IUCIQCjC84kHJzp
YIIrypTf8MbRKEYm5agFc916RImfokViLw==
-----END CERTIFICATE-----`;
