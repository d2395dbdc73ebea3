// First-party page signals and attribution, the visitor's side. Each page
// view sends one beacon to the site's own /api/beacon: the visitor's id,
// the page's path and the page's signal (data-signal on this script, from
// the page's front matter). The first page view keeps what brought the
// visitor (the campaign's utm_ parameters, a referrer on another site, the
// landing page) in a cookie the server copies into the lead when a form is
// sent. Two cookies of the site's own and nothing else: no third party,
// no fingerprinting.
//
// Global Privacy Control and Do Not Track stop it before anything. Where
// the site asks for consent, the page holds a hidden consent bar: it shows
// while no choice is stored, the choice is kept in localStorage, and
// nothing is set or sent before the visitor accepts.
(() => {
  const n = navigator, d = document, l = location;
  if (n.globalPrivacyControl || n.doNotTrack == "1" || self.doNotTrack == "1") return;
  const signal = d.currentScript.dataset.signal, bar = d.querySelector("[data-winnow-consent]"), key = "winnow_consent";
  const cookie = (k) => (d.cookie.match("(^|; )" + k + "=([^;]*)") || [])[2];
  const set = (k, v, age) => (d.cookie = k + "=" + v + ";Path=/;SameSite=Lax;Max-Age=" + age + (l.protocol == "https:" ? ";Secure" : ""));

  const track = () => {
    // The visitor's id: 16 random bytes in base64url, for a year from the
    // first visit.
    let v = cookie("winnow_v");
    if (!/^[\w-]{22}$/.test(v)) {
      v = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
      set("winnow_v", (v = v.replace(/\+/g, "-").replace(/\//g, "_").slice(0, 22)), 31536000);
    }
    // The first touch, for 90 days: each value at most 200 characters, the
    // cookie at most 1,500 bytes (the values added last go first).
    if (!cookie("winnow_a")) {
      const q = new URLSearchParams(l.search), r = d.referrer;
      const a = new URLSearchParams({ landing_page: l.pathname.slice(0, 200) });
      if (r && !r.startsWith(l.origin + "/")) a.set("referrer", r.slice(0, 200));
      for (const k of ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"]) if (q.get(k)) a.set(k, q.get(k).slice(0, 200));
      for (const k of [...a.keys()].reverse()) if (("" + a).length > 1500) a.delete(k);
      set("winnow_a", a, 7776000);
    }
    if (n.sendBeacon) n.sendBeacon("/api/beacon", JSON.stringify({ v, p: l.pathname, s: signal }));
  };

  const choice = bar && localStorage.getItem(key);
  if (!bar || choice == "yes") return track();
  if (choice) return;
  bar.hidden = false;
  bar.onclick = ({ target: { value } }) => {
    if (!value) return; // a click beside the buttons (Accept is "yes", Decline "no")
    localStorage.setItem(key, value);
    bar.hidden = true;
    if (value == "yes") track();
  };
})();
