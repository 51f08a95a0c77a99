// Moves the focus to the error summary when the page loads (the GOV.UK / NL Design System pattern): a
// keyboard or screen reader user starts at the list of problems, whose links lead to the fields.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
