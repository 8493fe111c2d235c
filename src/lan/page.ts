const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The plain-HTTP page a phone opens from the QR code: the CA for iOS and Android, the steps, the HTTPS URLs. */
export function lanPage(urls: readonly string[], caName: string): string {
  const links = urls.map((u) => `<li><a href="${escape(u)}">${escape(u)}</a></li>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>portico on the LAN</title></head><body>
<h1>portico on the LAN</h1>
<p>First trust <b>${escape(caName)}</b>. It can sign only the names and the address below, nothing else.</p>
<h2>iPhone, iPad</h2>
<ol><li><a href="/portico-lan.mobileconfig">Download the profile</a> and allow it.</li>
<li>Settings &gt; General &gt; VPN &amp; Device Management: tap the profile, Install.</li>
<li>Settings &gt; General &gt; About &gt; Certificate Trust Settings: turn on full trust for it.</li></ol>
<h2>Android</h2>
<ol><li><a href="/portico-lan-ca.crt">Download the certificate</a>.</li>
<li>Settings &gt; Security &gt; Encryption &amp; credentials &gt; Install a certificate &gt; CA certificate, pick the file.</li></ol>
<h2>Then open</h2><ul>${links}</ul>
</body></html>
`;
}
