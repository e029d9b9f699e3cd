// DSFR selects the next tab on the arrow keys but leaves the focus on the previous one: the focus follows the
// selection, as the ARIA tabs pattern wants.
for (const list of document.querySelectorAll('.campaign-tabs [role="tablist"]')) {
  new MutationObserver(() => {
    const selected = list.querySelector('[role="tab"][aria-selected="true"]');
    if (selected && list.contains(document.activeElement) && selected !== document.activeElement) selected.focus();
  }).observe(list, { subtree: true, attributes: true, attributeFilter: ["aria-selected"] });
}
