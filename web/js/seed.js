// SPDX-License-Identifier: MIT
// The tutorial's page (seed.html), kept as history: XMLHttpRequest POST /
// and show "message". A file of its own, so the page needs no inline script.
document.getElementById("get-image").addEventListener("click", function () {
  var request = new XMLHttpRequest();
  request.open("POST", "/");
  request.onload = function () {
    var answer = JSON.parse(request.responseText);
    var image = document.getElementById("image");
    if (answer.status === "success") {
      image.src = answer.message;
      image.hidden = false;
      document.getElementById("error").textContent = "";
    } else {
      document.getElementById("error").textContent = answer.message;
    }
  };
  request.onerror = function () {
    document.getElementById("error").textContent = "The server cannot be reached.";
  };
  request.send();
});
