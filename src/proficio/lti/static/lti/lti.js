// LTI pages inside an LMS's frame. Loaded as a file: the CSP runs no inline script.
(function () {
  "use strict";

  // The login's first page: a frame that may keep cookies goes on; one that may not offers
  // a new window (Safari and browsers blocking third-party cookies).
  function checkCookies(box) {
    var secure = window.location.protocol === "https:";
    document.cookie = "lti_cookie_check=1; path=/" + (secure ? "; SameSite=None; Secure" : "");
    var kept = document.cookie.indexOf("lti_cookie_check=1") !== -1;
    if (kept) {
      document.cookie = "lti_cookie_check=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT";
      window.location.replace(box.dataset.onward);
      return;
    }
    box.querySelector("[data-lti-loading]").hidden = true;
    box.querySelector("[data-lti-blocked]").hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-lti-cookie-check]");
    if (box) checkCookies(box);
    // The deep-linking answer goes back to the LMS at once (its button stays for no script).
    var answer = document.querySelector("form[data-lti-autosubmit]");
    if (answer) answer.submit();
    // Dynamic registration done: the LMS closes its registration frame.
    if (document.querySelector("[data-lti-registered]") && window.parent !== window) {
      window.parent.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
    }
  });
})();
