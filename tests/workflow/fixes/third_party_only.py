# fix-mode: safe
import flask

app = flask.Flask(__name__)
app.run(debug=True)
