// The peer: an auth API written the way the popular Express tutorials write it (Express, jsonwebtoken,
// bcryptjs, a users table, a verifyToken middleware), to measure beside ours with the same load.
import bcrypt from 'bcryptjs';
import express from 'express';
import jwt from 'jsonwebtoken';
import pg from 'pg';

const { DATABASE_URL, JWT_SECRET, PORT } = process.env;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
await pool.query(
  'CREATE TABLE IF NOT EXISTS tutorial_users (id serial PRIMARY KEY, email text UNIQUE NOT NULL, password text NOT NULL)',
);

const app = express();
app.use(express.json());

function verifyToken(req, res, next) {
  const header = req.headers.authorization;
  if (!header) return res.status(403).json({ message: 'No token provided' });
  jwt.verify(header.split(' ')[1], JWT_SECRET, (err, decoded) => {
    if (err) return res.status(401).json({ message: 'Unauthorized' });
    req.userId = decoded.id;
    next();
  });
}

app.post('/api/auth/register', async (req, res) => {
  const hash = await bcrypt.hash(req.body.password, 12);
  const { rows } = await pool.query('INSERT INTO tutorial_users (email, password) VALUES ($1, $2) RETURNING id', [
    req.body.email,
    hash,
  ]);
  res.status(201).json({ id: rows[0].id });
});

app.post('/api/auth/login', async (req, res) => {
  const { rows } = await pool.query('SELECT * FROM tutorial_users WHERE email = $1', [req.body.email]);
  const user = rows[0];
  if (!user) return res.status(404).json({ message: 'User not found' });
  const valid = await bcrypt.compare(req.body.password, user.password);
  if (!valid) return res.status(401).json({ accessToken: null, message: 'Invalid password' });
  const token = jwt.sign({ id: user.id }, JWT_SECRET, { expiresIn: 86400 });
  res.status(200).json({ id: user.id, email: user.email, accessToken: token });
});

app.get('/api/test/user', verifyToken, (_req, res) => {
  res.status(200).json({ ok: true, service: 'auth-service' });
});

const server = app.listen(Number(PORT), '127.0.0.1', () => console.log(`Listening on port ${PORT}`));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
