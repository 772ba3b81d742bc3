// Audio recorded in the page (MediaRecorder): each clip joins the form's file input, so it
// is checked and stored like any other file. Hidden where the browser cannot record.
(function () {
  "use strict";
  var box = document.querySelector("[data-recorder]");
  if (!box || !window.MediaRecorder || !navigator.mediaDevices || !window.DataTransfer) {
    return;
  }
  var input = document.getElementById(box.dataset.input);
  var recordButton = box.querySelector("[data-record]");
  var stopButton = box.querySelector("[data-stop]");
  var state = box.querySelector("[data-recorder-state]");
  var clips = box.querySelector("[data-clips]");
  var recorder = null;
  var chunks = [];
  var started = 0;
  box.hidden = false;

  function addToInput(file) {
    var files = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (kept) { files.items.add(kept); });
    files.items.add(file);
    input.files = files.files;
  }

  recordButton.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      chunks = [];
      recorder = new MediaRecorder(stream);
      recorder.addEventListener("dataavailable", function (event) { chunks.push(event.data); });
      recorder.addEventListener("stop", function () {
        stream.getTracks().forEach(function (track) { track.stop(); });
        var type = recorder.mimeType || "audio/webm";
        var seconds = Math.round((Date.now() - started) / 1000);
        var name = "recording-" + new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-") + ".webm";
        var file = new File(chunks, name, { type: type });
        addToInput(file);
        var item = document.createElement("li");
        var player = document.createElement("audio");
        player.controls = true;
        player.src = URL.createObjectURL(file);
        item.appendChild(player);
        item.appendChild(document.createTextNode(" " + name + " (" + seconds + " s)"));
        clips.appendChild(item);
        state.textContent = "Recorded " + seconds + " s: it is added to your files.";
        recordButton.disabled = false;
        stopButton.disabled = true;
      });
      started = Date.now();
      recorder.start();
      state.textContent = "Recording…";
      recordButton.disabled = true;
      stopButton.disabled = false;
    }).catch(function () {
      state.textContent = "The microphone is not available: upload a recording instead.";
    });
  });

  stopButton.addEventListener("click", function () {
    if (recorder && recorder.state === "recording") {
      recorder.stop();
    }
  });
})();
