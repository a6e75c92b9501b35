import dns from 'node:dns';

// The machine's configured nameserver is not on loopback, and tests must send nothing off it. Any
// query a test forgets to point at a local DNS server goes to a closed loopback port instead and
// fails fast with ECONNREFUSED, rather than leaving the machine. (dns.lookup reads /etc/hosts
// first; tests only look up IP literals and localhost.)
const CLOSED = ['127.0.0.1:9'];

dns.setServers(CLOSED);
dns.promises.setServers(CLOSED);

const { Resolver } = dns.promises;
class LoopbackOnlyResolver extends Resolver {
  constructor(options?: ConstructorParameters<typeof Resolver>[0]) {
    super(options);
    // Code under test may still call setServers with its own (local) servers afterwards.
    this.setServers(CLOSED);
  }
}
dns.promises.Resolver = LoopbackOnlyResolver;
