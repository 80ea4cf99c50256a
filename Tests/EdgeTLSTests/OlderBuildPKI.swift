/// What a build before the signature-algorithm fix wrote (mbedtls 2.28, NULL
/// parameters after ecdsa-with-SHA256): test fixtures only, made for these tests.
enum OlderBuildPKI {
    static let caKey = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIMwMNnzRn4jI3vFlpPrrVPQTkA1imekGAlbJZiATWs1JoAoGCCqGSM49
        AwEHoUQDQgAE63wKZqTxIVAYVrBeDGHopJ7fzdY7j1YC5thJ1Qft9UFSmhHTg8u+
        gHPwAVfs3zZI6x6473HpYcjsyXoPW2PXOQ==
        -----END EC PRIVATE KEY-----
        """
    static let caCert = """
        -----BEGIN CERTIFICATE-----
        MIIBhjCCASqgAwIBAgIQekEYCl4dj1NcP/EfVLwHOjAMBggqhkjOPQQDAgUAMCAx
        HjAcBgNVBAMMFWVkZ2VjdGwtY2FAMTcwMDAwMDAwMDAgFw0yNjEyMDYwMTA0NDha
        GA8yMTI2MTExMjAxMDQ0OFowIDEeMBwGA1UEAwwVZWRnZWN0bC1jYUAxNzAwMDAw
        MDAwMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE63wKZqTxIVAYVrBeDGHopJ7f
        zdY7j1YC5thJ1Qft9UFSmhHTg8u+gHPwAVfs3zZI6x6473HpYcjsyXoPW2PXOaNC
        MEAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAYYwHQYDVR0OBBYEFAre
        5i9h/0ZCAdKmDCa8lA3grBMaMAwGCCqGSM49BAMCBQADSAAwRQIgc/JF9vBigzyk
        uIYBgv5lwvY75T7k07Xlb1smrxMitSICIQCD9StmL6o+dxoBEWJmdVPwsU4tvG6/
        t67SW1mbvCeaYA==
        -----END CERTIFICATE-----
        """
    static let serverKey = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIErHj6SAyHVim1TlZxb6pKLADBX2iaw7loyZTdXPD3RCoAoGCCqGSM49
        AwEHoUQDQgAEWUuuzHaNqQeqkjNl3bIgp5yDw3bRdj9bsAqk6teKx/QUaVp460Dc
        vPZ8pHfQcEr0hF9QBY4Fi0Ti+Tv3kC66kA==
        -----END EC PRIVATE KEY-----
        """
    static let serverCert = """
        -----BEGIN CERTIFICATE-----
        MIIBzTCCAXGgAwIBAgIQLVBMvLVxGqxrrlXqM421HTAMBggqhkjOPQQDAgUAMCAx
        HjAcBgNVBAMMFWVkZ2VjdGwtY2FAMTcwMDAwMDAwMDAgFw0yNjEyMDYwMTA0NDha
        GA8yMTI2MTExMjAxMDk0OFowGTEXMBUGA1UEAwwOZWRnZWN0bC1zZXJ2ZXIwWTAT
        BgcqhkjOPQIBBggqhkjOPQMBBwNCAARZS67Mdo2pB6qSM2XdsiCnnIPDdtF2P1uw
        CqTq14rH9BRpWnjrQNy89nykd9BwSvSEX1AFjgWLROL5O/eQLrqQo4GPMIGMMAkG
        A1UdEwQCMAAwDgYDVR0PAQH/BAQDAgWgMB0GA1UdDgQWBBRCxRm+s1QghayUqt0M
        aUVmy0BrQDAfBgNVHSMEGDAWgBQK3uYvYf9GQgHSpgwmvJQN4KwTGjAaBgNVHREE
        EzARgglsb2NhbGhvc3SHBH8AAAEwEwYDVR0lBAwwCgYIKwYBBQUHAwEwDAYIKoZI
        zj0EAwIFAANIADBFAiEA0NG58z/gfXbBoZUC4S6iBgdF4EdMzAytD35KUGhiHB8C
        IC2PBH8l3S0p4Tp5VC9477DmbwvpnTnGwwOHwl9ae2QM
        -----END CERTIFICATE-----
        """
    static let nodeCSR = """
        -----BEGIN CERTIFICATE REQUEST-----
        MIHuMIGTAgEAMDExGDAWBgNVBAMMD3N5c3RlbTpub2RlOm9sZDEVMBMGA1UECgwM
        c3lzdGVtOm5vZGVzMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWUuuzHaNqQeq
        kjNl3bIgp5yDw3bRdj9bsAqk6teKx/QUaVp460DcvPZ8pHfQcEr0hF9QBY4Fi0Ti
        +Tv3kC66kKAAMAwGCCqGSM49BAMCBQADSAAwRQIhAOK1Ab9DtaUcxi/7BXWn4u3J
        KJGKCzPudAC1YLgpe5JrAiBJhfwMu6kY9Ft5UohWSCRPuPNTmt9bmFUlQ3QziO+7
        OQ==
        -----END CERTIFICATE REQUEST-----
        """
}
