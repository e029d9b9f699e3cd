// DSFR selects the next tab on the arrow keys but leaves the focus on the previous one: the focus follows the
// selection, as the ARIA tabs pattern wants. A newly selected tab's panel is told ("campaign-tab-selected"), and
// htmx loads it; DSFR's own "dsfr.disclose" also fires at start-up, which would load the shown panel twice.
for (const list of document.querySelectorAll('.campaign-tabs [role="tablist"]')) {
  let selected = list.querySelector('[role="tab"][aria-selected="true"]');
  new MutationObserver(() => {
    const now = list.querySelector('[role="tab"][aria-selected="true"]');
    if (!now) return;
    if (list.contains(document.activeElement) && now !== document.activeElement) now.focus();
    if (now !== selected) {
      selected = now;
      document.getElementById(now.getAttribute("aria-controls")).dispatchEvent(new CustomEvent("campaign-tab-selected"));
    }
  }).observe(list, { subtree: true, attributes: true, attributeFilter: ["aria-selected"] });
}
