export {Transport, DEFAULT_IDLE_MS, DEFAULT_MAX_SOCKETS, type TransportOptions} from './agents.js';
export {CONNECT_ERRORS, connectOnce, dial} from './dial.js';
export {isOwnAddress} from './own.js';
export {probeHttp, probePort, probeTcp, tcpConnect, type ProbeResult} from './probe.js';
export {upgradeHandshake, type Answered, type Switched} from './upgrade.js';
