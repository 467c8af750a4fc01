# memops runs compiled JavaScript (tsc): no per-start type stripping, and only what a command uses is
# loaded. No native addons (SQLite is node:sqlite).
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
COPY commands ./commands
RUN npm run build

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY runbooks ./runbooks
USER 10001
EXPOSE 3000
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["serve"]
